import { pino } from 'pino';
import { SuyuanError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EventLog, RecordIdentities, SubscribeOptions, Subscription } from './event-log.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import {
  inlineWriter,
  startWriterThread,
  WriterNeverStarted,
  type LogWriter,
  type WriterThreadOptions,
} from './sqlite-log-writer.js';
import type { GroupOutcome, LogWrite } from './sqlite-log-writes.js';
import { openSqliteLogStore, PARTITION, type SqliteLogStore } from './sqlite-log-store.js';
import { createRecentRecords } from './recent-records.js';
import { startSubscriptionLoop, type SubscriptionLoop } from './sqlite-subscription.js';

export interface SqliteEventLogOptions {
  /** The database file; its directory is created when missing. */
  readonly path: string;
  readonly logger?: Logger;
  /** How often subscriptions look for records appended by other processes (default 50 ms). */
  readonly pollIntervalMs?: number;
  /**
   * Starts the thread the writes run on (sqlite-log-writer.ts); tests give one whose thread they
   * can end. When it fails, the writes run on the caller's thread from then on.
   */
  readonly startWriter?: (options: WriterThreadOptions) => LogWriter;
}

const DEFAULT_POLL_INTERVAL_MS = 50;
/**
 * The most records kept per topic for the subscriptions yet to read them (recent-records.ts):
 * while 1000-event POSTs drained, the embedded platform's consumers were up to ~45 000 records
 * apart, each record about 2 KiB with its decoded event.
 */
const RECENT_RECORDS_PER_TOPIC = 50_000;
/** SQLite's own: a commit that leaves the WAL past this many pages checkpoints it. */
const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1_000;

interface ActiveSubscription {
  readonly topic: string;
  readonly loop: SubscriptionLoop;
}

function subscriptionId({ groupId, topic }: SubscribeOptions): string {
  return JSON.stringify([groupId, topic]);
}

/** Runs SQLite work; a failure of SQLite itself becomes a retryable `log_unavailable`. */
function guardSqlite<T>(path: string, operation: string, work: () => T): T {
  try {
    return work();
  } catch (cause) {
    throw new SuyuanError('log_unavailable', `embedded event log ${path}: ${operation} failed`, {
      cause,
    });
  }
}

function startOffset(store: SqliteLogStore, options: SubscribeOptions): number {
  if (options.resumeAt) return options.resumeAt(PARTITION);
  const committed = store.committedOffsets(options.topic, options.groupId).get(PARTITION);
  if (committed !== undefined) return committed;
  return options.startAt === 'latest' ? (store.endOffset(options.topic) ?? 0) : 0;
}

/**
 * The embedded event log: a SQLite database (WAL, synchronous = FULL) that the processes of one
 * machine can share. Each topic has a single partition (0), so all records of a topic are totally
 * ordered. Subscriptions poll every `pollIntervalMs` and wake at once on appends by this process.
 * Only one subscription per (group, topic) may be active in a process; subscriptions of one group
 * in different processes are not coordinated (each would receive every record). Every write
 * (appends, identities, a group's committed offset) goes to a writer thread with its own connection,
 * the writes asked for while one group commits together in the next (sqlite-log-writer.ts); reads
 * run on this connection, in the caller's thread.
 */
export function createSqliteEventLog(options: SqliteEventLogOptions): EventLog {
  const logger = options.logger ?? pino({ level: 'silent' });
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const store = guardSqlite(options.path, 'open', () => openSqliteLogStore(options.path));
  const active = new Map<string, ActiveSubscription>();
  const recent = createRecentRecords(RECENT_RECORDS_PER_TOPIC);
  let closing: Promise<void> | undefined;
  /** Set once the subscriptions have stopped: a write after it is refused. */
  let closed = false;

  const guard = <T>(operation: string, work: () => T): T =>
    guardSqlite(options.path, operation, work);

  // Writes run on a thread of their own (sqlite-log-writer.ts); if it fails, on this connection.
  let checkpointPages = 0;
  let writer: LogWriter = (options.startWriter ?? startWriterThread)({
    path: options.path,
    onFailure: (reason) => {
      logger.error(
        { path: options.path, reason },
        'embedded log: the writer thread failed; writing on the main thread from now on',
      );
      writer = inlineWriter(store);
      writer.checkpointEvery(checkpointPages);
    },
  });

  // Checkpoints run on a worker thread; if it fails, the writing connection does them again.
  const checkpointer = startCheckpointer({
    path: options.path,
    logger,
    onFailure: () => {
      checkpointPages = SQLITE_DEFAULT_CHECKPOINT_PAGES;
      writer.checkpointEvery(checkpointPages);
    },
  });
  // None of its own, unless the worker fails: see `Checkpointer.dueOnAppender`.
  writer.checkpointEvery(checkpointPages);

  /** Runs synchronous SQLite work as a promise; SQLite failures become `log_unavailable`. */
  function attempt<T>(operation: string, work: () => T): Promise<T> {
    return new Promise((resolve) => resolve(guard(operation, work)));
  }

  function startLoop(subscribe: SubscribeOptions): SubscriptionLoop {
    const { topic, groupId } = subscribe;
    const start = guard('subscribe', () => startOffset(store, subscribe));
    return startSubscriptionLoop({
      subscribe,
      startOffset: start,
      pollIntervalMs,
      logger,
      cursor: {
        fetch: (fromOffset, maxRecords) =>
          recent.read(topic, groupId, fromOffset, maxRecords, (from, max) =>
            store.read(topic, PARTITION, from, max),
          ),
        commit: (nextOffset) =>
          write({ op: 'commit', topic, groupId, partition: PARTITION, nextOffset }),
      },
      onStopped: () => {
        active.delete(subscriptionId(subscribe));
        recent.release(topic, groupId);
      },
    });
  }

  // Synchronous from check to registration, so two concurrent calls cannot both pass the check.
  function subscribeNow(subscribe: SubscribeOptions): Subscription {
    const id = subscriptionId(subscribe);
    if (closing) throw new Error('the embedded event log is closed; cannot subscribe');
    if (active.has(id)) {
      throw new Error(
        `group "${subscribe.groupId}" already has an active subscription to topic ` +
          `"${subscribe.topic}" in this process; stop it before subscribing again`,
      );
    }
    const loop = startLoop(subscribe);
    active.set(id, { topic: subscribe.topic, loop });
    subscribe.onStateChange?.('consuming');
    let stopped: Promise<void> | undefined;
    return {
      stop: () =>
        (stopped ??= (async () => {
          await loop.stop();
          if (subscribe.deleteGroupOnStop) {
            await write({ op: 'forgetGroup', topic: subscribe.topic, groupId: subscribe.groupId });
          }
        })()),
    };
  }

  const watchers = new Set<{ readonly topic: string; readonly listener: () => void }>();

  function wakeSubscribers(topic: string): void {
    for (const subscription of active.values()) {
      if (subscription.topic === topic) subscription.loop.wake();
    }
    for (const watcher of watchers) if (watcher.topic === topic) watcher.listener();
  }

  // Group commit: the writes asked for while a group commits go together in the next, one
  // transaction and one fsync; a lone write goes at the next turn of the event loop.
  interface PendingWrite {
    readonly write: LogWrite;
    resolve(value: unknown): void;
    reject(error: unknown): void;
  }
  let pending: PendingWrite[] = [];
  let inFlight: Promise<void> | undefined;
  const writeFailed = (cause: unknown) =>
    new SuyuanError('log_unavailable', `embedded event log ${options.path}: write failed`, {
      cause,
    });

  const commitGroup = async (group: readonly PendingWrite[]): Promise<void> => {
    let outcome: GroupOutcome;
    const used = writer;
    try {
      outcome = await used.run({
        checkpointFirst: checkpointer.dueOnAppender(),
        writes: group.map(({ write }) => write),
      });
    } catch (cause) {
      // A thread that never opened the log ran none of the group: it goes to the writer that
      // took over. Otherwise whether it committed is unknown: callers retry, and an append
      // retried is settled by its identity.
      if (cause instanceof WriterNeverStarted && writer !== used) return commitGroup(group);
      for (const pendingWrite of group) pendingWrite.reject(writeFailed(cause));
      return;
    }
    if (outcome.checkpointFailed !== undefined)
      logger.warn(
        { reason: outcome.checkpointFailed, path: options.path },
        'embedded log: checkpoint failed',
      );
    if (outcome.failed !== undefined) {
      for (const pendingWrite of group) pendingWrite.reject(writeFailed(new Error(outcome.failed)));
      return;
    }
    group.forEach((pendingWrite, index) => {
      const result = outcome.outcomes[index];
      if (result && 'value' in result) pendingWrite.resolve(result.value);
      else pendingWrite.reject(writeFailed(new Error(result?.error ?? 'no outcome')));
    });
    checkpointer.afterCommit();
    const appendedTo = group.flatMap(({ write }) =>
      write.op === 'append' || write.op === 'appendNew' ? [write.topic] : [],
    );
    for (const topic of new Set(appendedTo)) wakeSubscribers(topic);
  };

  const flush = () => {
    if (inFlight || pending.length === 0) return;
    const group = pending;
    pending = [];
    inFlight = commitGroup(group).finally(() => {
      inFlight = undefined;
      flush();
    });
  };

  /** Runs `write` in the next group; resolves with its result once committed. */
  function write<T>(logWrite: LogWrite): Promise<T> {
    return new Promise((resolve, reject) => {
      if (closed) {
        reject(new SuyuanError('log_unavailable', `embedded event log ${options.path} is closed`));
        return;
      }
      pending.push({ write: logWrite, resolve, reject });
      if (pending.length === 1 && !inFlight) setImmediate(flush);
    });
  }

  /** Resolves once no write is waiting or in flight. */
  async function drained(): Promise<void> {
    while (inFlight || pending.length > 0) {
      flush();
      await inFlight;
    }
  }

  const identities: RecordIdentities = {
    appendNew: (topic, records) => write({ op: 'appendNew', topic, records }),
    find: (topic, ids) => attempt('find identities', () => store.findIdentities(topic, ids)),
    unidentified: (topic, afterOffset, maxRecords) =>
      attempt('read unidentified', () => store.unidentified(topic, afterOffset, maxRecords)),
    identify: (topic, entries) => write({ op: 'identify', topic, entries }),
    identifiedThrough: (topic) =>
      attempt('read identified-through mark', () => store.identifiedThrough(topic)),
    markIdentified: (topic, offset) => write({ op: 'markIdentified', topic, offset }),
  };

  async function stopAllAndClose(): Promise<void> {
    await Promise.all([...active.values()].map(({ loop }) => loop.stop()));
    closed = true;
    await drained();
    await writer.close();
    await checkpointer.close();
    store.close();
  }

  return {
    ensureTopic: (topic) => write({ op: 'ensureTopic', topic }),
    append: async (topic, records) => {
      if (records.length === 0) return [];
      return write({ op: 'append', topic, records });
    },
    identities,
    subscribe: async (subscribe) => {
      await write({ op: 'ensureTopic', topic: subscribe.topic });
      return subscribeNow(subscribe);
    },
    read: (topic, { partition = PARTITION, fromOffset, maxRecords }) =>
      attempt('read', () => store.read(topic, partition, fromOffset, maxRecords)),
    committedOffsets: (topic, groupId) =>
      attempt('committedOffsets', () => store.committedOffsets(topic, groupId)),
    endOffsets: (topic) =>
      attempt('endOffsets', () => {
        const end = store.endOffset(topic);
        return new Map(end === undefined ? [] : [[PARTITION, end]]);
      }),
    qualifiedName: (name) => name,
    watchAppends: (topic, listener) => {
      const watcher = { topic, listener };
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    ping: () => attempt('ping', () => store.ping()),
    close: () => (closing ??= stopAllAndClose()),
  };
}
