/**
 * Where the embedded log's writes run: on a thread of their own (sqlite-writer-thread.ts), or,
 * once that thread has failed, on the caller's own connection as before it existed.
 *
 * In the embedded platform the thread that appends also answers HTTP, parses and validates
 * events, and feeds the serving index. Under 1000-event POSTs its SQLite work (the identity
 * lookups, the inserts, and the commits, whose fsync it waited out) was a quarter of its time,
 * and it spent almost a third of the run neither on a core nor waiting for one. With the writes
 * here, 1000-event POSTs to the small bench graph went from 9 265–10 444 to 10 959–11 787
 * events/s (README, Performance); single-event POSTs did not move. Reads stay on the caller's
 * connection: in WAL mode readers never wait for the writer, and a write's reply comes only
 * after its commit, so the caller then reads it.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../runtime/module-worker.js';
import type { SqliteLogStore } from './sqlite-log-store.js';
import {
  runWriteGroup,
  type GroupOutcome,
  type WriteGroup,
  type WriterReply,
  type WriterRequest,
} from './sqlite-log-writes.js';

export interface LogWriter {
  /** Runs a group in one transaction. Rejects when the writer itself failed: the outcome is unknown. */
  run(group: WriteGroup): Promise<GroupOutcome>;
  /** See `SqliteLogStore.checkpointEvery`, for the writing connection. */
  checkpointEvery(pages: number): void;
  /** Ends the writer once the groups in flight have replied. */
  close(): Promise<void>;
}

/** Writes on the caller's own connection, in the caller's thread. */
export function inlineWriter(store: SqliteLogStore): LogWriter {
  return {
    run: (group) => new Promise((resolve) => resolve(runWriteGroup(store, group))),
    checkpointEvery: (pages) => store.checkpointEvery(pages),
    close: () => Promise.resolve(),
  };
}

/**
 * The thread failed before it had opened the log, so it ran none of the groups sent to it: they
 * can go to another writer as they are.
 */
export class WriterNeverStarted extends Error {}

export interface WriterThreadOptions {
  readonly path: string;
  /** Called once when the thread fails (it could not open the log, or it ended unasked). */
  readonly onFailure: (reason: string) => void;
}

/** Writes on a thread with its own connection to the log at `path`. */
export function startWriterThread(
  options: WriterThreadOptions,
): LogWriter & { readonly worker: Worker } {
  const worker = startModuleWorker(siblingModule(import.meta.url, 'sqlite-writer-thread'), {
    path: options.path,
  });
  const waiting = new Map<
    number,
    { resolve(outcome: GroupOutcome): void; reject(error: Error): void }
  >();
  let nextId = 0;
  let failure: Error | undefined;
  let ready = false;
  let closing = false;
  const send = (request: WriterRequest) => worker.postMessage(request);

  const fail = (reason: string) => {
    if (failure) return;
    const message = `the embedded log's writer thread failed: ${reason}`;
    failure = ready ? new Error(message) : new WriterNeverStarted(message);
    // The caller learns of the failure first, so that it has another writer for what is refused.
    if (!closing) options.onFailure(reason);
    for (const pending of waiting.values()) pending.reject(failure);
    waiting.clear();
  };
  worker.on('message', (reply: WriterReply) => {
    if (reply.kind === 'ready') {
      ready = true;
      return;
    }
    const { id, kind: _kind, ...outcome } = reply;
    waiting.get(id)?.resolve(outcome);
    waiting.delete(id);
    // An idle writer keeps no process alive; one with a group in flight does, so that a caller
    // awaiting its append is not left behind by an exiting process.
    if (waiting.size === 0) worker.unref();
  });
  worker.on('error', (error) => fail(error.message));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      fail(`it exited with code ${code}`);
      resolve();
    }),
  );
  worker.unref();

  return {
    worker,
    run: (group) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        worker.ref();
        send({ kind: 'group', id, group });
      }),
    checkpointEvery: (pages) => {
      if (!failure) send({ kind: 'checkpointEvery', pages });
    },
    close: async () => {
      if (closing) return exited;
      closing = true;
      // Held until it has exited: an idle writer keeps no process alive, and a process with nothing
      // else to do would end here, before the log is closed.
      worker.ref();
      if (!failure) send({ kind: 'close' });
      await exited;
    },
  };
}
