import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type { SonicBoom as SonicBoomClass, SonicBoomOpts } from 'sonic-boom';

export type { Logger };

// sonic-boom is CommonJS (`module.exports` is the class), which its type declarations do not
// describe to an ES module importer; `require` gives the class as it is.
const SonicBoom = createRequire(import.meta.url)('sonic-boom') as typeof SonicBoomClass;

/** Where a process's log lines go, and how they are flushed before it exits. */
export interface LogOutput {
  readonly stream: { write(line: string): void };
  /** Writes what is buffered now, for exit: bounded in time, and it never throws. */
  flushSync(): void;
}

/** How long a flush at exit retries a full pipe (EAGAIN) before it gives the lines up. */
const EXIT_FLUSH_RETRIES = 10; // × sonic-boom's 100 ms

/**
 * Standard output, written asynchronously, that never holds up the process. pino's own
 * destination registers a synchronous flush at exit that retries EPIPE for ever (sonic-boom 4), so
 * a process whose parent piped its stdout and went away hung in `Atomics.wait` on exit. Here, once
 * the reader is gone (EPIPE or any error but a full pipe), log lines are dropped: nobody can read
 * them, and logging must never keep a process from stopping.
 */
export function createLogOutput(fd = 1): LogOutput {
  const options: SonicBoomOpts & { maxWriteRetries: number } = {
    fd,
    sync: false,
    maxWriteRetries: EXIT_FLUSH_RETRIES,
  };
  const boom = new SonicBoom(options);
  let gone = false;
  boom.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EAGAIN' && error.code !== 'EBUSY') gone = true;
  });
  return {
    stream: {
      write: (line) => {
        if (!gone) boom.write(line);
      },
    },
    flushSync: () => {
      if (gone) return;
      try {
        boom.flushSync();
      } catch {
        gone = true;
      }
    },
  };
}

/**
 * The one root logger of a process. `runService` binds `service` (the process: `embedded`,
 * `ingest` …) once; each module binds its own `component` once. pino writes every binding of every
 * ancestor, so a key bound twice is written twice in each line.
 */
export function createLogger(options: {
  level: string;
  pretty: boolean;
  /** Where JSON lines go (not with `pretty`); pino's standard output without. */
  output?: LogOutput;
}): Logger {
  const settings = {
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.pretty) return pino({ ...settings, transport: { target: 'pino-pretty' } });
  return options.output ? pino(settings, options.output.stream) : pino(settings);
}
