import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createEventLog } from '../../services/common/log/create-event-log.js';
import { eventLogContract, type LogAdapterConfig } from './event-log.contract.js';

eventLogContract('embedded (SQLite)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'suyuan-log-contract-'));
  const config: LogAdapterConfig = { kind: 'embedded', path: join(dir, 'log.db') };
  return {
    config,
    create: () => createEventLog(config, pino({ level: 'silent' })),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
