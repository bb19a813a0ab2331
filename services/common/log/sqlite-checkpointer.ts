/**
 * Checkpoints the embedded log's WAL on a worker thread.
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the thread
 * that appends, which in the embedded platform is also the thread that answers HTTP. Here the
 * appending connection leaves checkpoints to a worker with its own connection, nudged after
 * commits and at most every 50 ms, and checkpoints itself only to let the WAL start
 * over (`dueOnAppender`). Appending 1000-event batches to the small bench graph's log went from
 * 31-34 to 23-25 µs an event; 1000-event POSTs to the platform from about 8 500 to 9 500
 * events/s. The WAL is fsynced at every commit either way, so what is acknowledged is as durable
 * as before; a checkpoint only moves committed pages into the database file.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';

type CheckpointRequest = 'checkpoint' | 'close';

type CheckpointReply =
  | { readonly ok: true; readonly walFrames: number; readonly checkpointed: number }
  | { readonly ok: false; readonly message: string };

/**
 * The worker, in plain JavaScript so that it runs alike from the sources (tsx, vitest: a worker
 * cannot load TypeScript there) and from dist. A PASSIVE checkpoint copies what it can without
 * waiting for the appender or any reader, and fsyncs the database file before the WAL may be
 * reused, as the appending connection's own checkpoints did.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma('synchronous = FULL');
parentPort.on('message', (request) => {
  if (request === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, walFrames: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String((error && error.message) || error) });
  }
});
`;

export interface Checkpointer {
  /** Asks for a checkpoint after a commit; requests while one runs make one more after it. */
  afterCommit(): void;
  /**
   * Whether the appending connection should checkpoint before its next transaction, and so let
   * that transaction start the WAL over. SQLite reuses the WAL from its start only when a writer
   * begins after a checkpoint it sees complete; a worker's checkpoint, racing the appends, seldom
   * is. So once the worker has copied every frame of a WAL past `RESTART_FRAMES`, the appender's
   * checkpoint has next to nothing left to copy. Past `LIMIT_FRAMES` it is due however far the
   * worker is behind: the appender copies the rest itself, as SQLite's own checkpoint would.
   */
  dueOnAppender(): boolean;
  /** Ends the worker and its connection. */
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  readonly path: string;
  readonly logger: Logger;
  /** Called when the worker cannot checkpoint: the appending connection must do it again. */
  readonly onFailure: (reason: string) => void;
}

/** The least time between the start of two checkpoints. */
const MIN_INTERVAL_MS = 50;
/** See `dueOnAppender`: 16 and 256 MiB of 4 KiB pages. */
const RESTART_FRAMES = 4_000;
const LIMIT_FRAMES = 65_536;

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  });
  let running = false;
  let wanted = false;
  let failed = false;
  let closed = false;
  let exited = false;
  let lastStart = 0;
  let reported: { readonly walFrames: number; readonly checkpointed: number } | undefined;
  let timer: NodeJS.Timeout | undefined;

  const fail = (reason: string) => {
    if (failed || closed) return;
    failed = true;
    options.logger.error({ path: options.path, reason }, 'embedded log checkpointer failed');
    options.onFailure(reason);
  };

  const start = () => {
    timer = undefined;
    if (failed || closed) return;
    running = true;
    wanted = false;
    lastStart = performance.now();
    worker.postMessage('checkpoint' satisfies CheckpointRequest);
  };

  const schedule = () => {
    if (running || timer || failed || closed) return;
    const wait = lastStart + MIN_INTERVAL_MS - performance.now();
    if (wait <= 0) start();
    else timer = setTimeout(start, wait);
  };

  worker.on('message', (reply: CheckpointReply) => {
    running = false;
    if (!reply.ok) return fail(reply.message);
    reported = reply;
    if (wanted) schedule();
  });
  worker.on('error', (error) => fail(error.message));
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      exited = true;
      if (!closed) fail(`the worker exited with code ${code}`);
      resolve();
    }),
  );
  // A checkpoint in flight must not keep the process alive on its own.
  worker.unref();

  return {
    afterCommit: () => {
      wanted = true;
      schedule();
    },
    dueOnAppender: () => {
      if (!reported || failed) return false;
      const { walFrames, checkpointed } = reported;
      const due =
        walFrames >= LIMIT_FRAMES || (walFrames >= RESTART_FRAMES && checkpointed === walFrames);
      // The worker's next report tells of the WAL after this checkpoint.
      if (due) reported = undefined;
      return due;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      // Held until it has exited, as the log's close waits for it: a process with nothing else
      // to do would otherwise end here, before the log is closed.
      worker.ref();
      if (!exited) worker.postMessage('close' satisfies CheckpointRequest);
      await exit;
    },
  };
}
