import type { Logger } from '../logger.js';
import type { StoredRecord, SubscribeOptions, Subscription } from './event-log.js';

const DEFAULT_MAX_BATCH_SIZE = 500;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * How long to let records gather after a batch of `records` (`SubscribeOptions.lingerMs`): none
 * after a full batch, all of `lingerMs` after one of `lingerFullAt` records or more, and that
 * share of it after a smaller one.
 */
export function lingerAfter(
  records: number,
  options: Pick<SubscribeOptions, 'maxBatchSize' | 'lingerMs' | 'lingerFullAt'>,
): number {
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const lingerMs = options.lingerMs ?? 0;
  if (records >= maxBatchSize) return 0;
  const fullAt = Math.min(options.lingerFullAt ?? maxBatchSize, maxBatchSize);
  return Math.round((lingerMs * Math.min(records, fullAt)) / fullAt);
}

/** What a subscription needs from the log: reading its partition and keeping its group's offset. */
export interface PartitionCursor {
  fetch(fromOffset: number, maxRecords: number): StoredRecord[];
  commit(nextOffset: number): Promise<void>;
}

export interface SubscriptionLoop extends Subscription {
  /** Fetches now rather than at the next poll; called when this process appended to the topic. */
  wake(): void;
}

export interface SubscriptionLoopOptions {
  readonly subscribe: SubscribeOptions;
  readonly cursor: PartitionCursor;
  readonly startOffset: number;
  readonly pollIntervalMs: number;
  readonly logger: Logger;
  /** Called once the loop has ended, after the last batch was handled and committed. */
  readonly onStopped: () => void;
}

/** A sleep that can be cut short. Timers are unref'd: a subscription alone keeps no process alive. */
interface Sleeper {
  sleep(ms: number): Promise<void>;
  interrupt(): void;
}

function createSleeper(): Sleeper {
  let cutShort: (() => void) | undefined;
  let interruptedWhileAwake = false;
  return {
    sleep(ms) {
      if (interruptedWhileAwake) {
        interruptedWhileAwake = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const finish = (): void => {
          clearTimeout(timer);
          cutShort = undefined;
          resolve();
        };
        const timer = setTimeout(finish, ms);
        timer.unref();
        cutShort = finish;
      });
    },
    interrupt() {
      if (cutShort) cutShort();
      else interruptedWhileAwake = true;
    },
  };
}

type Attempt =
  | { kind: 'idle' }
  | { kind: 'delivered'; nextOffset: number; records: number }
  | { kind: 'failed' };

/**
 * Polls one partition for a group: hands each batch to the handler, commits only after it resolved,
 * and on failure delivers the same records again after a doubling backoff, never skipping any.
 */
export function startSubscriptionLoop(options: SubscriptionLoopOptions): SubscriptionLoop {
  const { subscribe, cursor, logger } = options;
  const context = { topic: subscribe.topic, groupId: subscribe.groupId };
  const maxBatchSize = subscribe.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const idle = createSleeper();
  const backoff = createSleeper();
  const linger = createSleeper();
  let stopped = false;

  async function attempt(fromOffset: number): Promise<Attempt> {
    let batch: StoredRecord[];
    try {
      batch = cursor.fetch(fromOffset, maxBatchSize);
    } catch (err) {
      logger.warn({ err, ...context }, 'fetch failed; retrying');
      return { kind: 'failed' };
    }
    const last = batch.at(-1);
    if (!last) return { kind: 'idle' };
    try {
      await subscribe.handleBatch(batch);
    } catch (err) {
      logger.warn({ err, ...context }, 'handler failed; redelivering');
      return { kind: 'failed' };
    }
    return commit(last.offset + 1, batch.length);
  }

  async function commit(nextOffset: number, records: number): Promise<Attempt> {
    try {
      await cursor.commit(nextOffset);
      return { kind: 'delivered', nextOffset, records };
    } catch (err) {
      logger.warn({ err, ...context }, 'commit failed; redelivering');
      return { kind: 'failed' };
    }
  }

  async function run(): Promise<void> {
    let position = options.startOffset;
    let backoffMs = FIRST_BACKOFF_MS;
    while (!stopped) {
      const outcome = await attempt(position);
      if (outcome.kind === 'delivered') {
        position = outcome.nextOffset;
        backoffMs = FIRST_BACKOFF_MS;
        // A full batch means a backlog: the next goes at once. Otherwise the fuller the batch,
        // the longer the next may gather: one record after another goes at once, while a steady
        // stream, each batch lingering longer than the one before, soon fills them. Appends
        // during the linger do not end it; stopping does, and what gathered meanwhile is still
        // delivered before the end.
        const wait = lingerAfter(outcome.records, subscribe);
        if (wait > 0 && !stopped) {
          await linger.sleep(wait);
          if (stopped) await attempt(position);
        }
      } else if (outcome.kind === 'idle') {
        await idle.sleep(options.pollIntervalMs);
      } else {
        await backoff.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  const finished = run().finally(options.onStopped);
  return {
    wake: () => idle.interrupt(),
    stop() {
      stopped = true;
      idle.interrupt();
      backoff.interrupt();
      linger.interrupt();
      return finished;
    },
  };
}
