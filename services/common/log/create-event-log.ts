import type { Logger } from '../logger.js';
import type { EventLog } from './event-log.js';
import { createSqliteEventLog } from './sqlite-event-log.js';

/** Which event log to use; plain data, so a child process can build the same adapter. */
export type EventLogConfig = { readonly kind: 'embedded'; readonly path: string };

/** Builds the event log adapter named by the configuration. */
export function createEventLog(config: EventLogConfig, logger: Logger): EventLog {
  switch (config.kind) {
    case 'embedded':
      return createSqliteEventLog({
        path: config.path,
        logger: logger.child({ component: 'event-log' }),
      });
  }
}
