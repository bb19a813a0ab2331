import { pino } from 'pino';
import { SuyuanError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EventLog, RecordIdentities, SubscribeOptions, Subscription } from './event-log.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { openSqliteLogStore, PARTITION, type SqliteLogStore } from './sqlite-log-store.js';
import { startSubscriptionLoop, type SubscriptionLoop } from './sqlite-subscription.js';

export interface SqliteEventLogOptions {
  /** The database file; its directory is created when missing. */
  readonly path: string;
  readonly logger?: Logger;
  /** How often subscriptions look for records appended by other processes (default 50 ms). */
  readonly pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 50;
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
  const committed = store.committedOffsets(options.topic, options.groupId).get(PARTITION);
  if (committed !== undefined) return committed;
  return options.startAt === 'latest' ? (store.endOffset(options.topic) ?? 0) : 0;
}

/**
 * The embedded event log: a SQLite database (WAL, synchronous = FULL) that the processes of one
 * machine can share. Each topic has a single partition (0), so all records of a topic are totally
 * ordered. Subscriptions poll every `pollIntervalMs` and wake at once on appends by this process.
 * Only one subscription per (group, topic) may be active in a process; subscriptions of one group
 * in different processes are not coordinated (each would receive every record).
 */
export function createSqliteEventLog(options: SqliteEventLogOptions): EventLog {
  const logger = options.logger ?? pino({ level: 'silent' });
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const store = guardSqlite(options.path, 'open', () => openSqliteLogStore(options.path));
  const active = new Map<string, ActiveSubscription>();
  let closing: Promise<void> | undefined;

  const guard = <T>(operation: string, work: () => T): T =>
    guardSqlite(options.path, operation, work);

  // Checkpoints run on a worker thread; if it fails, the appending connection does them again.
  const checkpointer = startCheckpointer({
    path: options.path,
    logger,
    onFailure: () => {
      try {
        store.checkpointEvery(SQLITE_DEFAULT_CHECKPOINT_PAGES);
      } catch (error) {
        logger.error({ err: error }, 'embedded log: could not take checkpoints back');
      }
    },
  });
  // None of its own, unless the worker fails: see `Checkpointer.dueOnAppender`.
  guard('checkpoint', () => store.checkpointEvery(0));

  /** A failed checkpoint fails no append: what the WAL holds is committed already. */
  const checkpointHere = () => {
    try {
      store.checkpoint();
    } catch (error) {
      logger.warn({ err: error, path: options.path }, 'embedded log: checkpoint failed');
    }
  };

  /** Runs synchronous SQLite work as a promise; SQLite failures become `log_unavailable`. */
  function attempt<T>(operation: string, work: () => T): Promise<T> {
    return new Promise((resolve) => resolve(guard(operation, work)));
  }

  function startLoop(subscribe: SubscribeOptions): SubscriptionLoop {
    const { topic, groupId } = subscribe;
    const start = guard('subscribe', () => {
      store.ensureTopic(topic);
      return startOffset(store, subscribe);
    });
    return startSubscriptionLoop({
      subscribe,
      startOffset: start,
      pollIntervalMs,
      logger,
      cursor: {
        fetch: (fromOffset, maxRecords) => store.read(topic, PARTITION, fromOffset, maxRecords),
        commit: (nextOffset) => store.commit(topic, groupId, PARTITION, nextOffset),
      },
      onStopped: () => active.delete(subscriptionId(subscribe)),
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
    return { stop: () => loop.stop() };
  }

  const watchers = new Set<{ readonly topic: string; readonly listener: () => void }>();

  function wakeSubscribers(topic: string): void {
    for (const subscription of active.values()) {
      if (subscription.topic === topic) subscription.loop.wake();
    }
    for (const watcher of watchers) if (watcher.topic === topic) watcher.listener();
  }

  // Group commit: appends made in the same turn of the event loop share one transaction and so
  // one fsync. Each runs as a savepoint, so one that fails rolls back alone.
  interface PendingWrite {
    readonly topic: string;
    run(): void;
    fail(error: unknown): void;
    done(): void;
  }
  let pending: PendingWrite[] = [];
  const flush = () => {
    const group = pending;
    pending = [];
    try {
      if (checkpointer.dueOnAppender()) checkpointHere();
      store.inTransaction(() => {
        for (const write of group) write.run();
      });
    } catch (cause) {
      const failure = new SuyuanError(
        'log_unavailable',
        `embedded event log ${options.path}: append failed`,
        { cause },
      );
      for (const write of group) write.fail(failure);
      return;
    }
    for (const write of group) write.done();
    checkpointer.afterCommit();
    for (const topic of new Set(group.map((write) => write.topic))) wakeSubscribers(topic);
  };
  /** Runs `work` in the next group transaction; resolves with its result once committed. */
  function grouped<T>(topic: string, work: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      let outcome: { value: T } | { error: unknown } | undefined;
      pending.push({
        topic,
        run: () => {
          try {
            outcome = { value: work() };
          } catch (error) {
            outcome = { error };
          }
        },
        fail: reject,
        done: () => {
          if (outcome && 'value' in outcome) resolve(outcome.value);
          else
            reject(
              new SuyuanError(
                'log_unavailable',
                `embedded event log ${options.path}: append failed`,
                {
                  cause: outcome?.error,
                },
              ),
            );
        },
      });
      if (pending.length === 1) setImmediate(flush);
    });
  }

  const identities: RecordIdentities = {
    appendNew: (topic, records) => grouped(topic, () => store.appendNew(topic, records)),
    find: (topic, ids) => attempt('find identities', () => store.findIdentities(topic, ids)),
    unidentified: (topic, afterOffset, maxRecords) =>
      attempt('read unidentified', () => store.unidentified(topic, afterOffset, maxRecords)),
    identify: (topic, entries) => attempt('identify', () => store.identify(topic, entries)),
    identifiedThrough: (topic) =>
      attempt('read identified-through mark', () => store.identifiedThrough(topic)),
    markIdentified: (topic, offset) =>
      attempt('mark identified', () => store.markIdentified(topic, offset)),
  };

  async function stopAllAndClose(): Promise<void> {
    await Promise.all([...active.values()].map(({ loop }) => loop.stop()));
    await checkpointer.close();
    store.close();
  }

  return {
    ensureTopic: (topic) => attempt('ensureTopic', () => store.ensureTopic(topic)),
    append: async (topic, records) => {
      if (records.length === 0) return [];
      return grouped(topic, () => store.append(topic, records));
    },
    identities,
    subscribe: (subscribe) => new Promise((resolve) => resolve(subscribeNow(subscribe))),
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
