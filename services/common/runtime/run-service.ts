/**
 * The `main` of every process: read the configuration, start, log one "service listening" line
 * with the URL, stop cleanly on SIGTERM/SIGINT, and fail start-up with one plain message and a
 * non-zero exit.
 */
import { loadConfig, type Config } from '../config.js';
import { isSuyuanError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';

export interface RunningService {
  /** Where the service answers HTTP (probes and metrics at least). */
  readonly url: string;
  stop(): Promise<void>;
}

export function runService(
  service: string,
  start: (config: Config, logger: Logger) => Promise<RunningService>,
): void {
  const main = async () => {
    const config = loadConfig();
    const logger = createLogger({ level: config.logLevel, pretty: config.logPretty }).child({
      service,
    });
    const running = await start(config, logger);
    logger.info({ url: running.url }, 'service listening');
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      running.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  };
  main().catch((err: unknown) => {
    const message = isSuyuanError(err)
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
    process.stderr.write(`suyuan ${service}: failed to start: ${message}\n`);
    process.exit(1);
  });
}

/** Prints the admin key generated at first start; it is stored hashed and never shown again. */
export function printGeneratedAdminKey(key: string): void {
  process.stdout.write(
    [
      '',
      '  Suyuan generated the first admin API key. It is shown only this once and stored hashed:',
      '',
      `    ${key}`,
      '',
      '  Keep it, or set SUYUAN_ADMIN_KEY yourself before the first start.',
      '',
    ].join('\n') + '\n',
  );
}
