import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one root logger of a process. `runService` binds `service` (the process: `embedded`,
 * `ingest` …) once; each module binds its own `component` once. pino writes every binding of every
 * ancestor, so a key bound twice is written twice in each line.
 */
export function createLogger(options: { level: string; pretty: boolean }): Logger {
  return pino({
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.pretty ? { transport: { target: 'pino-pretty' } } : {}),
  });
}
