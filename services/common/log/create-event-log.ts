import type { Logger } from '../logger.js';
import type { EventLog } from './event-log.js';
import { createKafkaEventLog } from './kafka-event-log.js';
import { namespacedEventLog } from './namespaced-event-log.js';
import { createSqliteEventLog } from './sqlite-event-log.js';

/** Which event log to use; plain data, so a child process can build the same adapter. */
export type EventLogConfig =
  | { readonly kind: 'embedded'; readonly path: string }
  | {
      readonly kind: 'kafka';
      readonly brokers: readonly string[];
      readonly clientId: string;
      /** Partitions of the topics the log creates. */
      readonly partitions: number;
      readonly replicationFactor: number;
      /** Prefixes every topic and consumer group, so platforms can share a cluster (default none). */
      readonly namespace?: string;
    };

/** Builds the event log adapter named by the configuration. */
export function createEventLog(config: EventLogConfig, logger: Logger): EventLog {
  const child = logger.child({ component: 'event-log' });
  switch (config.kind) {
    case 'embedded':
      return createSqliteEventLog({ path: config.path, logger: child });
    case 'kafka': {
      const log = createKafkaEventLog({
        brokers: config.brokers,
        clientId: config.clientId,
        partitions: config.partitions,
        replicationFactor: config.replicationFactor,
        logger: child,
      });
      return namespacedEventLog(log, config.namespace ?? '');
    }
  }
}
