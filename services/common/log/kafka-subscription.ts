/**
 * One subscription of the Kafka event log: a kafkajs consumer in the subscriber's group that hands
 * the handler chunks of one partition in offset order and commits each chunk only after the
 * handler resolved. A rejected chunk is not committed: its partition is rewound to the chunk's
 * first record, paused for a growing backoff and resumed, so the same records come again and none
 * is skipped (this is how a consumer outlives its store being down).
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { StoredRecord, SubscribeOptions, Subscription } from './event-log.js';
import { toStoredRecord } from './kafka-client.js';

const DEFAULT_MAX_BATCH_SIZE = 500;
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;
/** How long `subscribe` waits for the consumer's first fetch, which fixes its start positions. */
const FIRST_FETCH_WAIT_MS = 5_000;

/** Group membership timings; short, so a dead consumer's partitions move on within seconds. */
export interface GroupTimings {
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How long a fetch waits for new records; also bounds how long `stop` waits for a fetch. */
  readonly maxWaitTimeMs: number;
}

/** kafkajs's own bound on what one fetch brings of a partition. */
const KAFKAJS_MAX_BYTES_PER_PARTITION = 1024 * 1024;
/** Room per record a partition's fetch leaves, so that one fetch can fill a handler's batch. */
const FETCH_BYTES_PER_RECORD = 1024;

/**
 * A consumer in `groupId` with these timings; topics are never created by consuming. A batch is
 * at most what one fetch brought of a partition, and kafkajs fetches 1 MiB of each by default:
 * about 2 500 of the bench's events, half the projector's batches of 5 000. With `batchSize`
 * a partition's fetch may bring 1 KiB a record of it.
 */
export function groupConsumer(
  kafka: Kafka,
  groupId: string,
  timings: GroupTimings,
  batchSize = 0,
): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: timings.sessionTimeoutMs,
    rebalanceTimeout: timings.rebalanceTimeoutMs,
    heartbeatInterval: timings.heartbeatIntervalMs,
    maxWaitTimeInMs: timings.maxWaitTimeMs,
    maxBytesPerPartition: Math.max(
      KAFKAJS_MAX_BYTES_PER_PARTITION,
      batchSize * FETCH_BYTES_PER_RECORD,
    ),
    allowAutoTopicCreation: false,
  });
}

export interface KafkaSubscriptionOptions {
  readonly kafka: Kafka;
  readonly subscribe: SubscribeOptions;
  readonly timings: GroupTimings;
  readonly logger: Logger;
}

/** Rewinds, pauses and later resumes partitions whose chunk failed; the delay doubles per failure. */
function createRedelivery(consumer: Consumer, topic: string) {
  const delays = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    /** Delivers the partition again from `offset` after a backoff; returns the backoff. */
    schedule(partition: number, offset: number): number {
      const delayMs = delays.get(partition) ?? FIRST_BACKOFF_MS;
      delays.set(partition, Math.min(delayMs * 2, MAX_BACKOFF_MS));
      consumer.pause([{ topic, partitions: [partition] }]);
      consumer.seek({ topic, partition, offset: String(offset) });
      const timer = setTimeout(() => {
        timers.delete(timer);
        consumer.resume([{ topic, partitions: [partition] }]);
      }, delayMs);
      timers.add(timer);
      return delayMs;
    },
    succeeded(partition: number): void {
      delays.delete(partition);
    },
    cancel(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

interface Failure {
  readonly err: unknown;
  readonly message: string;
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

/**
 * Watches for the consumer's first fetch, by which kafkajs has fixed the start positions (a
 * committed offset, or `startAt`); `wait` resolves once it happened, or after `timeoutMs`.
 */
function watchFirstFetch(consumer: Consumer) {
  let fetched = false;
  let wake = (): void => undefined;
  const removeListener = consumer.on(consumer.events.FETCH, () => {
    fetched = true;
    wake();
  });
  return {
    async wait(timeoutMs: number): Promise<void> {
      if (!fetched) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      removeListener();
    },
  };
}

export async function startKafkaSubscription(
  options: KafkaSubscriptionOptions,
): Promise<Subscription> {
  const { kafka, subscribe, timings } = options;
  const { topic, groupId, handleBatch } = subscribe;
  const logger = options.logger.child({ topic, groupId });
  const maxBatchSize = subscribe.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const consumer = groupConsumer(kafka, groupId, timings, maxBatchSize);
  const redelivery = createRedelivery(consumer, topic);

  /** Handles and commits one chunk; says what failed, if anything. */
  async function deliver(
    chunk: StoredRecord[],
    payload: EachBatchPayload,
  ): Promise<Failure | undefined> {
    const last = chunk.at(-1);
    if (!last) return undefined;
    // kafkajs heartbeats only between batches; a long handler must not cost the group membership.
    const keepAlive = setInterval(() => {
      payload.heartbeat().catch((err: unknown) => logger.debug({ err }, 'heartbeat failed'));
    }, timings.heartbeatIntervalMs);
    try {
      await handleBatch(chunk);
    } catch (err) {
      return { err, message: 'handler failed; redelivering' };
    } finally {
      clearInterval(keepAlive);
    }
    try {
      payload.resolveOffset(String(last.offset));
      const partitions = [{ partition: last.partition, offset: String(last.offset + 1) }];
      await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions }] });
      return undefined;
    } catch (err) {
      return { err, message: 'commit failed; redelivering' };
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { partition, messages } = payload.batch;
    const records = messages.map((message) => toStoredRecord(topic, partition, message));
    for (const chunk of chunksOf(records, maxBatchSize)) {
      if (!payload.isRunning() || payload.isStale()) return;
      const failure = await deliver(chunk, payload);
      if (failure) {
        const offset = chunk[0]?.offset ?? 0;
        const retryInMs = redelivery.schedule(partition, offset);
        logger.warn({ err: failure.err, partition, offset, retryInMs }, failure.message);
        return;
      }
      redelivery.succeeded(partition);
      // Throws when the group rebalances; kafkajs then rejoins, and what was committed stays so.
      await payload.heartbeat();
    }
  }

  const report = subscribe.onStateChange ?? (() => undefined);
  report('joining');
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    logger.info({ durationMs: payload.duration, memberId: payload.memberId }, 'joined the group');
    // kafkajs calls this before the member's first fetch, so no record from another offset comes.
    const { resumeAt } = subscribe;
    if (resumeAt) {
      for (const partition of payload.memberAssignment[topic] ?? []) {
        consumer.seek({ topic, partition, offset: String(resumeAt(partition)) });
      }
    }
    report('consuming');
  });
  consumer.on(consumer.events.REBALANCING, () => report('joining'));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const { error: err, restart } = payload;
    // kafkajs restarts after retriable failures (such as an unreachable broker) on its own.
    if (restart) logger.warn({ err }, 'consumer crashed; kafkajs restarts it');
    else logger.error({ err }, 'consumer crashed; the subscription has stopped');
    report(restart ? 'joining' : 'failed');
  });
  const firstFetch = watchFirstFetch(consumer);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: subscribe.startAt !== 'latest' });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw err;
  }
  // So that records appended once `subscribe` resolved are delivered, also with startAt 'latest'.
  await firstFetch.wait(FIRST_FETCH_WAIT_MS);

  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        redelivery.cancel();
        // Waits for the chunk in hand and its commit (eachBatch checks isRunning between chunks).
        await consumer.disconnect();
      })()),
  };
}
