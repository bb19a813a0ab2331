/**
 * Whether a consumer group is getting through the log, for /readyz and /metrics (issue 13): a
 * consumer that fails the same batch for ever, or waits on something that never comes, looked
 * healthy before while every later event waited. A consumer is stalled when records wait for it
 * and it has made no progress for `stallAfterMs`; progress is a batch this process handled, or
 * the group's committed offsets moving (another instance of the group got on).
 */
import type { EventLog, StoredRecord } from './event-log.js';

export interface ConsumerStatus {
  /** The topic and group as the log names them (`KAFKA_NAMESPACE` applied), for operators. */
  readonly topic: string;
  readonly group: string;
  /** Records written to the topic that the group has not committed yet. */
  readonly waiting: number;
  readonly stalled: boolean;
  /** Milliseconds since the epoch: the last batch handled, or the group's offsets seen moving. */
  readonly lastProgressAt: number;
  /** When the current run of failed batches began; undefined while batches succeed. */
  readonly failingSince: number | undefined;
  /** The last failure of a batch, and when; kept after the consumer recovers. */
  readonly lastError: { readonly message: string; readonly at: number } | undefined;
  /** When the batch in hand was handed over, while one is. */
  readonly handlingSince: number | undefined;
}

export interface ConsumerHealth {
  readonly topic: string;
  readonly group: string;
  /** The subscription handler, wrapped to note each batch's outcome. */
  watch(
    handler: (records: readonly StoredRecord[]) => Promise<void>,
  ): (records: readonly StoredRecord[]) => Promise<void>;
  /** Reads the group's offsets from the log; fails when the log cannot answer. */
  status(): Promise<ConsumerStatus>;
  /** For /readyz: resolves while the consumer gets on, rejects saying why when it is stalled. */
  check(): Promise<void>;
}

/** The default of CONSUMER_STALL_AFTER_MS. */
const DEFAULT_STALL_AFTER_MS = 60_000;

export interface ConsumerHealthOptions {
  readonly log: EventLog;
  readonly topic: string;
  readonly group: string;
  /** How long records may wait with no progress before the consumer counts as stalled. */
  readonly stallAfterMs?: number;
  /** Called with each failed batch's error (a metric counts them). */
  readonly onFailure?: (error: unknown) => void;
  readonly now?: () => number;
}

/** Records waiting, and the committed offsets' sum (which moves when the group gets on). */
async function groupPosition(log: EventLog, topic: string, group: string) {
  const [end, committed] = await Promise.all([
    log.endOffsets(topic),
    log.committedOffsets(topic, group),
  ]);
  let waiting = 0;
  let position = 0;
  for (const [partition, endOffset] of end) {
    // A group with no commit on a partition has all of it to read (Kafka reports -1 there).
    const next = Math.max(committed.get(partition) ?? 0, 0);
    waiting += Math.max(endOffset - next, 0);
    position += next;
  }
  return { waiting, position };
}

const seconds = (ms: number) => Math.round(ms / 1000);

export function describeStall(status: ConsumerStatus, now: number): string {
  const parts = [
    `${status.group} has made no progress for ${seconds(now - status.lastProgressAt)} s ` +
      `while ${status.waiting} records wait`,
  ];
  if (status.failingSince !== undefined && status.lastError) {
    parts.push(
      `failing since ${new Date(status.failingSince).toISOString()}: ${status.lastError.message}`,
    );
  } else if (status.handlingSince !== undefined) {
    parts.push(`a batch has been in hand for ${seconds(now - status.handlingSince)} s`);
  }
  return parts.join('; ');
}

export function createConsumerHealth(options: ConsumerHealthOptions): ConsumerHealth {
  const now = options.now ?? Date.now;
  const { log, topic, group } = options;
  let lastProgressAt = now();
  let failingSince: number | undefined;
  let lastError: ConsumerStatus['lastError'];
  let handlingSince: number | undefined;
  let lastPosition: number | undefined;

  const status = async (): Promise<ConsumerStatus> => {
    const { waiting, position } = await groupPosition(log, topic, group);
    if (lastPosition !== undefined && position !== lastPosition) lastProgressAt = now();
    lastPosition = position;
    const stallAfterMs = options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
    const stalled = waiting > 0 && now() - lastProgressAt >= stallAfterMs;
    return {
      topic: log.qualifiedName(topic),
      group: log.qualifiedName(group),
      waiting,
      stalled,
      lastProgressAt,
      failingSince,
      lastError,
      handlingSince,
    };
  };

  return {
    topic,
    group,
    watch: (handler) => async (records) => {
      handlingSince = now();
      try {
        await handler(records);
        lastProgressAt = now();
        failingSince = undefined;
      } catch (error) {
        const at = now();
        failingSince ??= at;
        lastError = { message: error instanceof Error ? error.message : String(error), at };
        options.onFailure?.(error);
        throw error;
      } finally {
        handlingSince = undefined;
      }
    },
    status,
    async check() {
      const current = await status();
      if (current.stalled) throw new Error(describeStall(current, now()));
    },
  };
}
