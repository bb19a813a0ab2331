/**
 * The `main` of every process: read the configuration, start, log one "service listening" line
 * with the URL, stop on SIGTERM/SIGINT within a deadline, and fail start-up with one plain
 * message and a non-zero exit.
 */
import { constants } from 'node:os';
import { loadConfig, type Config } from '../config.js';
import { isSuyuanError } from '../errors.js';
import { createLogger, createLogOutput, type LogOutput, type Logger } from '../logger.js';

export interface RunningService {
  /** Where the service answers HTTP (probes and metrics at least). */
  readonly url: string;
  stop(): Promise<void>;
  /** The part being stopped while `stop` runs, named for an operator. */
  readonly stopping?: () => string | undefined;
}

export function runService(
  service: string,
  start: (config: Config, logger: Logger) => Promise<RunningService>,
): void {
  const output = createLogOutput();
  const main = async () => {
    const config = loadConfig();
    const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, output }).child(
      { service },
    );
    const running = await start(config, logger);
    // Ready to be stopped before saying it listens: whoever waits for that line may signal at
    // once, and the line can reach it (written on another thread) before this one goes on.
    stopOnSignals(running, { logger, output, timeoutMs: config.shutdownTimeoutMs });
    logger.info({ url: running.url }, 'service listening');
  };
  main().catch((err: unknown) => {
    const message = isSuyuanError(err)
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
    output.flushSync();
    process.stderr.write(`suyuan ${service}: failed to start: ${message}\n`);
    process.exit(1);
  });
}

/**
 * The first SIGTERM or SIGINT stops the service, which has `timeoutMs` to finish; past it the
 * process exits 1 naming the part that did not stop. A second signal exits at once (128 + the
 * signal's number, as a shell reports a process killed by it). Logs are flushed before each exit,
 * boundedly: logging never keeps a process from stopping (logger.ts).
 */
function stopOnSignals(
  running: RunningService,
  deps: { logger: Logger; output: LogOutput; timeoutMs: number },
): void {
  const { logger, output, timeoutMs } = deps;
  const exit = (code: number) => {
    output.flushSync();
    process.exit(code);
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.error({ signal, stopping: running.stopping?.() }, 'second signal, exiting now');
      exit(128 + (constants.signals[signal] ?? 0));
      return;
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      const part = running.stopping?.() ?? 'the service';
      logger.error(
        { timeoutMs, stopping: part },
        `shutdown did not finish within ${timeoutMs} ms (SUYUAN_SHUTDOWN_TIMEOUT_MS): ${part} did not stop`,
      );
      exit(1);
    }, timeoutMs);
    running.stop().then(
      () => {
        clearTimeout(deadline);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
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
