import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger of a process; services take `logger.child({ service, component })`. */
export function createLogger(options: { level: string; pretty: boolean }): Logger {
  return pino({
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.pretty ? { transport: { target: 'pino-pretty' } } : {}),
  });
}
