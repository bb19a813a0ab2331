/**
 * Every write to the embedded log, as data: what the log's writer runs, on its own thread
 * (sqlite-writer-thread.ts) or, when that thread has failed, on the caller's (sqlite-log-writer.ts).
 * The writes gathered while the previous group committed go in one transaction, one fsync; each
 * runs as a savepoint, so one that fails rolls back alone.
 */
import type { LogRecord, RecordIdentity } from './event-log.js';
import type { SqliteLogStore } from './sqlite-log-store.js';

type Identified = LogRecord & { readonly identity: RecordIdentity };

export type LogWrite =
  | { readonly op: 'ensureTopic'; readonly topic: string }
  | { readonly op: 'append'; readonly topic: string; readonly records: readonly LogRecord[] }
  | { readonly op: 'appendNew'; readonly topic: string; readonly records: readonly Identified[] }
  | {
      readonly op: 'commit';
      readonly topic: string;
      readonly groupId: string;
      readonly partition: number;
      readonly nextOffset: number;
    }
  | {
      readonly op: 'identify';
      readonly topic: string;
      readonly entries: ReadonlyArray<RecordIdentity & { readonly offset: number }>;
    }
  | { readonly op: 'markIdentified'; readonly topic: string; readonly offset: number }
  | { readonly op: 'forgetGroup'; readonly topic: string; readonly groupId: string };

export interface WriteGroup {
  /** Checkpoint before the transaction, so that it can start the WAL over (`Checkpointer`). */
  readonly checkpointFirst: boolean;
  readonly writes: readonly LogWrite[];
}

export type WriteOutcome = { readonly value: unknown } | { readonly error: string };

export interface GroupOutcome {
  /** Set when the transaction did not commit: no write of the group took effect. */
  readonly failed?: string;
  /** What each write came to, in order; empty when the transaction failed. */
  readonly outcomes: readonly WriteOutcome[];
  /** Set when the checkpoint asked for first failed (the writes went ahead regardless). */
  readonly checkpointFailed?: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A record's value as SQLite binds it: a Buffer (a thread receives a plain Uint8Array). */
const asBuffer = (value: Uint8Array) =>
  Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

function withBuffers<T extends LogRecord>(records: readonly T[]): T[] {
  return records.map((record) => ({ ...record, value: asBuffer(record.value) }));
}

function apply(store: SqliteLogStore, write: LogWrite): unknown {
  switch (write.op) {
    case 'ensureTopic':
      return store.ensureTopic(write.topic);
    case 'append':
      return store.append(write.topic, withBuffers(write.records));
    case 'appendNew':
      return store.appendNew(write.topic, withBuffers(write.records));
    case 'commit':
      return store.commit(write.topic, write.groupId, write.partition, write.nextOffset);
    case 'identify':
      return store.identify(write.topic, write.entries);
    case 'markIdentified':
      return store.markIdentified(write.topic, write.offset);
    case 'forgetGroup':
      return store.forgetGroup(write.topic, write.groupId);
  }
}

/** Runs a group in one transaction of `store`'s connection. */
export function runWriteGroup(store: SqliteLogStore, group: WriteGroup): GroupOutcome {
  let checkpointFailed: string | undefined;
  if (group.checkpointFirst) {
    // A failed checkpoint fails no write: what the WAL holds is committed already.
    try {
      store.checkpoint();
    } catch (error) {
      checkpointFailed = messageOf(error);
    }
  }
  const noted = checkpointFailed === undefined ? {} : { checkpointFailed };
  const outcomes: WriteOutcome[] = [];
  try {
    store.inTransaction(() => {
      for (const write of group.writes) {
        try {
          outcomes.push({ value: apply(store, write) });
        } catch (error) {
          outcomes.push({ error: messageOf(error) });
        }
      }
    });
  } catch (error) {
    return { failed: messageOf(error), outcomes: [], ...noted };
  }
  return { outcomes, ...noted };
}

/** What the log sends its writer thread. */
export type WriterRequest =
  | { readonly kind: 'group'; readonly id: number; readonly group: WriteGroup }
  | { readonly kind: 'checkpointEvery'; readonly pages: number }
  | { readonly kind: 'close' };

/** What the thread sends back: that it has opened the log, then each group's outcome. */
export type WriterReply =
  { readonly kind: 'ready' } | (GroupOutcome & { readonly kind: 'outcome'; readonly id: number });
