/**
 * What an operator sees of one log record, and the quarantine they may put on it (issue 13): the
 * record decoded (or why it does not decode), whether a consumer set it aside and why, whether it
 * is quarantined and by whom, and which consumer groups have got past it.
 */
import { SuyuanError } from '../errors.js';
import type { EventCodec } from '../events/codec.js';
import type { SuyuanEvent } from '../events/event-types.generated.js';
import type { EventLog, StoredRecord } from '../log/event-log.js';
import type { Store } from '../store/store.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP, RECALL_GROUP } from '../topics.js';
import { cleanReason, type DeadLetterRow, type QuarantineRow } from './dead-letters.js';
import type { SetAsideMemory } from './set-aside-memory.js';

/** Where a record is: its topic, partition and offset. */
export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** The consumer groups that read the events topic, in the order they handle a record. */
export const EVENT_CONSUMERS = [PROJECTOR_GROUP, RECALL_GROUP] as const;

export interface LogRecordView extends LogPosition {
  readonly key: string;
  readonly timestamp: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The decoded event, or null when the record does not decode. */
  readonly event: SuyuanEvent | null;
  readonly decodeError: string | null;
  /** The raw value in base64, when it does not decode. */
  readonly valueBase64: string | null;
  readonly quarantine: QuarantineView | null;
  readonly deadLetters: ReadonlyArray<{
    readonly consumer: string;
    readonly cause: string;
    readonly reason: string;
    readonly at: string;
  }>;
  /** Whether each consumer group has committed past the record (read it, or set it aside). */
  readonly consumers: ReadonlyArray<{ readonly group: string; readonly passed: boolean }>;
}

export interface QuarantineView {
  readonly reason: string;
  /** The admin party that asked for it. */
  readonly actor: string;
  readonly at: string;
}

export interface LogInspectionDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  /** The consumers' memory of what to skip, when this process is the store's only writer. */
  readonly setAsideMemory?: SetAsideMemory;
}

const positionParams = (position: LogPosition) => ({ ...position });

async function recordAt(log: EventLog, position: LogPosition): Promise<StoredRecord> {
  const { topic, partition, offset } = position;
  const [record] = await log.read(topic, { partition, fromOffset: offset, maxRecords: 1 });
  if (record?.offset !== offset) {
    throw new SuyuanError('not_found', `offset: no record at ${topic}/${partition}/${offset}`);
  }
  return record;
}

async function consumersPast(log: EventLog, position: LogPosition) {
  if (position.topic !== EVENTS_TOPIC) return [];
  return Promise.all(
    EVENT_CONSUMERS.map(async (group) => {
      const committed = (await log.committedOffsets(position.topic, group)).get(position.partition);
      return { group, passed: (committed ?? 0) > position.offset };
    }),
  );
}

async function quarantineOf(store: Store, position: LogPosition): Promise<QuarantineView | null> {
  const [row] = await store.query<QuarantineRow>(
    `SELECT reason, actor, at FROM quarantined_offsets FINAL
     WHERE topic = {topic:String} AND partition = {partition:UInt32} AND offset = {offset:UInt64}`,
    positionParams(position),
  );
  return row ? { reason: row.reason, actor: row.actor, at: row.at } : null;
}

function decoded(codec: EventCodec, record: StoredRecord) {
  try {
    return { event: codec.decode(record.value), decodeError: null, valueBase64: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { event: null, decodeError: message, valueBase64: record.value.toString('base64') };
  }
}

export async function inspectLogRecord(
  deps: LogInspectionDeps,
  position: LogPosition,
): Promise<LogRecordView> {
  const record = await recordAt(deps.log, position);
  const [quarantine, deadLetters, consumers] = await Promise.all([
    quarantineOf(deps.store, position),
    deps.store.query<DeadLetterRow>(
      `SELECT consumer, cause, reason, at FROM dead_letters FINAL
       WHERE topic = {topic:String} AND partition = {partition:UInt32} AND offset = {offset:UInt64}
       ORDER BY at, consumer`,
      positionParams(position),
    ),
    consumersPast(deps.log, position),
  ]);
  return {
    ...position,
    key: record.key,
    timestamp: new Date(record.timestamp).toISOString(),
    headers: record.headers,
    ...decoded(deps.codec, record),
    quarantine,
    deadLetters: deadLetters.map(({ consumer, cause, reason, at }) => ({
      consumer,
      cause,
      reason,
      at,
    })),
    consumers,
  };
}

/**
 * Quarantines the record: the projector and the recall service skip it from now on and move it to
 * the dead-letter topic. A consumer that has already passed it is not taken back; the answer's
 * `consumers` says which.
 */
export async function quarantineLogRecord(
  deps: LogInspectionDeps,
  position: LogPosition,
  request: { readonly reason: string; readonly actor: string },
): Promise<LogRecordView> {
  if (position.topic !== EVENTS_TOPIC) {
    throw new SuyuanError(
      'invalid_request',
      `topic: only ${EVENTS_TOPIC} is consumed, so only its records can be quarantined`,
      { details: [{ path: 'topic', message: `must be ${EVENTS_TOPIC}` }] },
    );
  }
  await recordAt(deps.log, position);
  const row: QuarantineRow = {
    ...position,
    reason: cleanReason(request.reason),
    actor: request.actor,
    at: new Date().toISOString(),
  };
  await deps.store.insert('quarantined_offsets', [row]);
  deps.setAsideMemory?.noteQuarantine(row);
  return inspectLogRecord(deps, position);
}
