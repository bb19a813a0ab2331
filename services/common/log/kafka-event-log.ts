/**
 * The event log on Apache Kafka (distributed mode), through kafkajs. Records with the same key go
 * to the same partition (murmur2, as the Java client) and so keep their order; there is no order
 * across keys. Appends go through one idempotent producer (acks = all) and fail with
 * `log_unavailable` within `operationTimeoutMs` when the cluster cannot be reached. Topics are
 * created by the adapter with the configured partitions and replication factor, never implicitly
 * by the broker.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ICustomPartitioner, Message, Producer, RecordMetadata } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { SuyuanError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  FINGERPRINT_HEADER,
  type AppendReceipt,
  type EventLog,
  type LogRecord,
  type SubscribeOptions,
  type Subscription,
} from './event-log.js';
import { createKafkaClient, lazyClient, logUnavailable, withinDeadline } from './kafka-client.js';
import { readPartition } from './kafka-read.js';
import {
  brokerSessionBounds,
  groupTimings,
  PREFERRED_SESSION_TIMEOUT_MS,
  sessionTimeoutWithin,
  STOCK_SESSION_BOUNDS,
} from './kafka-group-timings.js';
import { startKafkaSubscription, type GroupTimings } from './kafka-subscription.js';

export interface KafkaEventLogOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions of each topic this log creates. */
  readonly partitions: number;
  /** Replicas of each partition of the topics this log creates. */
  readonly replicationFactor: number;
  readonly logger?: Logger;
  /**
   * How long append, ensureTopic, read and the offset look-ups may take before they fail with
   * `log_unavailable` (default 12 s).
   */
  readonly operationTimeoutMs?: number;
  /**
   * How soon a consumer that stopped heartbeating loses its partitions: the session timeout
   * wanted (default 3 s), kept within the broker's bounds (./kafka-group-timings.ts).
   */
  readonly sessionTimeoutMs?: number;
}

const DEFAULT_OPERATION_TIMEOUT_MS = 12_000;
const PING_TIMEOUT_MS = 5_000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SuyuanError(
      'config_invalid',
      `kafka event log: ${name} must be a positive integer (got ${String(value)})`,
    );
  }
  return value;
}

function validate(options: KafkaEventLogOptions): void {
  if (options.brokers.length === 0 || options.brokers.some((broker) => !/.+:\d+$/.test(broker))) {
    throw new SuyuanError(
      'config_invalid',
      `kafka event log: brokers must be a non-empty list of host:port (got ${JSON.stringify(options.brokers)})`,
    );
  }
  if (options.clientId.trim() === '') {
    throw new SuyuanError('config_invalid', 'kafka event log: clientId must not be empty');
  }
  positiveInteger('partitions', options.partitions);
  positiveInteger('replicationFactor', options.replicationFactor);
}

/** The default partitioner, remembering the partition it chose for each message it was given. */
function rememberingPartitioner(chosen: WeakMap<Message, number>): ICustomPartitioner {
  return () => {
    const choose = Partitioners.DefaultPartitioner();
    return (args) => {
      const partition = choose(args);
      chosen.set(args.message, partition);
      return partition;
    };
  };
}

function toMessage({ key, value, headers, identity }: LogRecord): Message {
  const fingerprint = identity ? { [FINGERPRINT_HEADER]: identity.fingerprint } : {};
  return headers || identity
    ? { key, value, headers: { ...headers, ...fingerprint } }
    : { key, value };
}

/**
 * Each partition's records of one send got consecutive offsets from that partition's base offset,
 * in the order they were sent; so a record's offset is the base plus its index in the partition.
 */
function receiptsFor(
  messages: readonly Message[],
  metadata: readonly RecordMetadata[],
  chosen: WeakMap<Message, number>,
): AppendReceipt[] {
  const baseOffsets = new Map(metadata.map((entry) => [entry.partition, entry.baseOffset]));
  const sentBefore = new Map<number, number>();
  return messages.map((message) => {
    const partition = chosen.get(message);
    const baseOffset = partition === undefined ? undefined : baseOffsets.get(partition);
    if (partition === undefined || baseOffset === undefined) {
      throw new Error(`kafka event log: the broker did not acknowledge partition ${partition}`);
    }
    const index = sentBefore.get(partition) ?? 0;
    sentBefore.set(partition, index + 1);
    return { partition, offset: Number(baseOffset) + index };
  });
}

/**
 * Whether the topic exists. Asked first by the look-ups, because kafkajs retries requests about
 * an unknown topic for seconds before it fails, and a topic not created yet simply has no offsets.
 */
async function topicExists(admin: Admin, topic: string): Promise<boolean> {
  return (await admin.listTopics()).includes(topic);
}

/** The high watermark of each partition; empty when the topic does not exist. */
async function endOffsetsOf(admin: Admin, topic: string): Promise<Map<number, number>> {
  if (!(await topicExists(admin, topic))) return new Map();
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, high }) => [partition, Number(high)]));
}

export function createKafkaEventLog(options: KafkaEventLogOptions): EventLog {
  validate(options);
  const logger = options.logger ?? pino({ level: 'silent' });
  const timeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
  const preferredSessionMs = options.sessionTimeoutMs ?? PREFERRED_SESSION_TIMEOUT_MS;
  let knownTimings: GroupTimings | undefined;
  const kafka = createKafkaClient({ ...options, logger });
  const chosenPartitions = new WeakMap<Message, number>();
  const producers = lazyClient(
    () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: rememberingPartitioner(chosenPartitions),
      }),
    logger,
    'producer',
  );
  const admins = lazyClient(() => kafka.admin(), logger, 'admin');
  const ensuredTopics = new Map<string, Promise<void>>();
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  function assertOpen(): void {
    if (closing) throw new Error('the kafka event log is closed');
  }

  /** Runs admin work within the deadline; a failed admin client is replaced for the next call. */
  function usingAdmin<T>(
    operation: string,
    work: (admin: Admin) => Promise<T>,
    deadlineMs = timeoutMs,
  ): Promise<T> {
    assertOpen();
    return withAdmin(operation, work, deadlineMs);
  }

  /** `usingAdmin` while the log closes too: for the subscriptions it stops on the way. */
  function withAdmin<T>(
    operation: string,
    work: (admin: Admin) => Promise<T>,
    deadlineMs = timeoutMs,
  ): Promise<T> {
    return withinDeadline(operation, deadlineMs, async () => {
      const admin = await admins.get();
      try {
        return await work(admin);
      } catch (error) {
        admins.discard(admin);
        throw error;
      }
    });
  }

  /** The group timings, once the broker said its session bounds (a stock broker's till then). */
  async function timingsFrom(admin: Admin): Promise<GroupTimings> {
    if (knownTimings) return knownTimings;
    try {
      const bounds = await brokerSessionBounds(admin);
      knownTimings = groupTimings(sessionTimeoutWithin(preferredSessionMs, bounds));
      logger.info({ ...knownTimings, bounds }, 'consumer group timings');
      return knownTimings;
    } catch (err) {
      const sessionTimeoutMs = sessionTimeoutWithin(preferredSessionMs, STOCK_SESSION_BOUNDS);
      logger.warn({ err, sessionTimeoutMs }, "broker's session bounds unknown; assuming stock");
      return groupTimings(sessionTimeoutMs);
    }
  }

  function ensureTopic(topic: string): Promise<void> {
    let ensured = ensuredTopics.get(topic);
    if (!ensured) {
      const { partitions: numPartitions, replicationFactor } = options;
      ensured = usingAdmin(`ensureTopic "${topic}"`, async (admin) => {
        const giveUpAt = Date.now() + timeoutMs;
        for (;;) {
          try {
            // Asking to create a topic that exists makes the broker answer with an error, which
            // kafkajs logs: every service but the first to start would warn at every start.
            if (!(await admin.listTopics()).includes(topic)) {
              const topics = [{ topic, numPartitions, replicationFactor }];
              await admin.createTopics({ topics, waitForLeaders: true, timeout: timeoutMs });
            }
            await admin.fetchTopicMetadata({ topics: [topic] });
            return;
          } catch (error) {
            // A new topic's metadata reaches the brokers a moment after it is created: on a busy
            // broker waitForLeaders may hear "does not host this topic-partition", a retriable
            // answer kafkajs does not retry there.
            const retriable = (error as { retriable?: boolean }).retriable === true;
            if (!retriable || Date.now() > giveUpAt) throw error;
            await sleep(100);
          }
        }
      });
      ensuredTopics.set(topic, ensured);
      ensured.catch(() => ensuredTopics.delete(topic));
    }
    return ensured;
  }

  async function append(topic: string, records: readonly LogRecord[]): Promise<AppendReceipt[]> {
    assertOpen();
    if (records.length === 0) return [];
    const messages = records.map(toMessage);
    let producer: Producer | undefined;
    try {
      return await withinDeadline(`append to "${topic}"`, timeoutMs, async () => {
        await ensureTopic(topic);
        producer = await producers.get();
        const metadata = await producer.send({ topic, acks: -1, messages });
        return receiptsFor(messages, metadata, chosenPartitions);
      });
    } catch (error) {
      // The outcome is in doubt: a fresh producer (new producer id) keeps the broker from taking a
      // later append for a retry of this one, and stops this send if it is still under way.
      if (producer) producers.discard(producer);
      throw error;
    }
  }

  /**
   * Deletes a group whose member has left (`deleteGroupOnStop`). A failure is logged and left to
   * the broker's offset retention: the subscription has stopped either way.
   */
  async function deleteGroup(groupId: string): Promise<void> {
    try {
      await withAdmin(`delete group "${groupId}"`, (admin) => admin.deleteGroups([groupId]));
    } catch (err) {
      logger.warn({ err, groupId }, 'could not delete the consumer group; the broker expires it');
    }
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    assertOpen();
    const { topic } = subscribeOptions;
    await ensureTopic(topic);
    const timings = await usingAdmin('read the session bounds', timingsFrom);
    let subscription: Subscription;
    try {
      subscription = await startKafkaSubscription({
        kafka,
        subscribe: subscribeOptions,
        timings,
        logger,
      });
    } catch (cause) {
      throw logUnavailable(`subscribe to "${topic}"`, cause);
    }
    const { groupId, deleteGroupOnStop } = subscribeOptions;
    let stopped: Promise<void> | undefined;
    const tracked: Subscription = {
      stop: () =>
        (stopped ??= (async () => {
          subscriptions.delete(tracked);
          await subscription.stop();
          if (deleteGroupOnStop) await deleteGroup(groupId);
        })()),
    };
    subscriptions.add(tracked);
    return tracked;
  }

  return {
    ensureTopic: (topic) => (assertOpen(), ensureTopic(topic)),
    append,
    subscribe,
    read: (topic, read) =>
      usingAdmin(`read "${topic}"`, async (admin) => {
        const endOffset = (await endOffsetsOf(admin, topic)).get(read.partition ?? 0);
        if (endOffset === undefined) return [];
        const timings = await timingsFrom(admin);
        return readPartition({ kafka, admin, topic, read, endOffset, timings, timeoutMs, logger });
      }),
    committedOffsets: (topic, groupId) =>
      usingAdmin(`committedOffsets of "${groupId}" on "${topic}"`, async (admin) => {
        const committed = new Map<number, number>();
        if (!(await topicExists(admin, topic))) return committed;
        for (const { partitions } of await admin.fetchOffsets({ groupId, topics: [topic] })) {
          for (const { partition, offset } of partitions) {
            // -1: the group has committed nothing for this partition.
            if (Number(offset) >= 0) committed.set(partition, Number(offset));
          }
        }
        return committed;
      }),
    endOffsets: (topic) =>
      usingAdmin(`endOffsets of "${topic}"`, (admin) => endOffsetsOf(admin, topic)),
    qualifiedName: (name) => name,
    ping: () =>
      usingAdmin('ping', (admin) => admin.describeCluster().then(() => undefined), PING_TIMEOUT_MS),
    close: () =>
      (closing ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
        await Promise.allSettled([producers.close(), admins.close()]);
      })()),
  };
}
