/**
 * Records the consumers set aside instead of processing them (issue 13), and the offsets an
 * operator quarantined. A record set aside goes to the dead-letter topic, whole, with headers
 * naming where it came from, which consumer set it aside and why; and a row in `dead_letters`
 * (infra/clickhouse/0006_dead_letters.sql) says the same, so that the recall service can skip
 * what the projector set aside and an operator can ask about an offset.
 */
import type { EventLog, StoredRecord } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import { EVENTS_DEAD_LETTER_TOPIC } from '../topics.js';
import type { SetAsideMemory } from './set-aside-memory.js';

/**
 * Why a record was set aside: bytes that are no event of ours, values the store refused, an
 * operator's quarantine, or an event a consumer failed on by itself.
 */
export type SetAsideCause = 'undecodable' | 'refused' | 'quarantined' | 'failed';

export interface SetAside {
  readonly record: StoredRecord;
  readonly cause: SetAsideCause;
  readonly reason: string;
  /** The event's id, when the record could be decoded. */
  readonly eventId?: string;
}

export interface DeadLetterRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly consumer: string;
  readonly event_id: string | null;
  readonly cause: SetAsideCause;
  readonly reason: string;
  readonly at: string;
}

export interface QuarantineRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly reason: string;
  readonly actor: string;
  readonly at: string;
}

/** What a consumer skips among a batch's records. */
export interface Skipped {
  /** Quarantined offsets, with the operator's reason. */
  readonly quarantined: ReadonlyMap<number, string>;
  /** Offsets the consumer named in `skippedAmong` set aside. */
  readonly setAside: ReadonlySet<number>;
}

export interface DeadLetters {
  /**
   * The records (of one partition of one topic) to skip: those quarantined, and, when
   * `setAsideBy` names a consumer group, those it set aside. One store query, or none when the
   * process is the store's only writer (`DeadLetterDeps.setAsideMemory`).
   */
  skippedAmong(records: readonly StoredRecord[], setAsideBy?: string): Promise<Skipped>;
  /** Moves the records to the dead-letter topic and records them, on behalf of `consumer`. */
  setAside(consumer: string, entries: readonly SetAside[]): Promise<void>;
}

export interface DeadLetterDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Given when this process is the store's only writer: what is set aside, kept in memory. */
  readonly setAsideMemory?: SetAsideMemory;
}

/** Reasons are the store's or a decoder's words: kept whole enough to read, and storable. */
const MAX_REASON_LENGTH = 2_000;

export function cleanReason(reason: string): string {
  return [...reason.replace(/\p{Cs}/gu, '\ufffd')].slice(0, MAX_REASON_LENGTH).join('');
}

/** `offset BETWEEN` the first and last of a batch of one partition. */
function rangeOf(records: readonly StoredRecord[]) {
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last) return undefined;
  return { topic: first.topic, partition: first.partition, from: first.offset, to: last.offset };
}

export function createDeadLetters(deps: DeadLetterDeps): DeadLetters {
  const logger = deps.logger.child({ component: 'dead-letters' });
  return {
    async skippedAmong(records, setAsideBy) {
      const range = rangeOf(records);
      if (!range) return { quarantined: new Map(), setAside: new Set() };
      if (deps.setAsideMemory) return deps.setAsideMemory.among(range, setAsideBy ?? '');
      const where = `topic = {topic:String} AND partition = {partition:UInt32}
        AND offset BETWEEN {from:UInt64} AND {to:UInt64}`;
      const rows = await deps.store.query<{ offset: number; quarantine: number; reason: string }>(
        `SELECT offset, 1 AS quarantine, reason FROM quarantined_offsets FINAL WHERE ${where}
         UNION ALL
         SELECT offset, 0 AS quarantine, reason FROM dead_letters FINAL
         WHERE ${where} AND consumer = {consumer:String}`,
        { ...range, consumer: setAsideBy ?? '' },
      );
      return {
        quarantined: new Map(
          rows.filter((row) => row.quarantine === 1).map((row) => [Number(row.offset), row.reason]),
        ),
        setAside: new Set(
          rows.filter((row) => row.quarantine === 0).map((row) => Number(row.offset)),
        ),
      };
    },

    async setAside(consumer, entries) {
      if (entries.length === 0) return;
      const at = new Date().toISOString();
      await deps.log.append(
        EVENTS_DEAD_LETTER_TOPIC,
        entries.map(({ record, cause, reason }) => ({
          key: record.key,
          value: record.value,
          headers: {
            'source-topic': record.topic,
            'source-partition': String(record.partition),
            'source-offset': String(record.offset),
            consumer,
            cause,
            error: cleanReason(reason),
          },
        })),
      );
      const rows: DeadLetterRow[] = entries.map(({ record, cause, reason, eventId }) => ({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        consumer,
        event_id: eventId ?? null,
        cause,
        reason: cleanReason(reason),
        at,
      }));
      await deps.store.insert('dead_letters', rows);
      deps.setAsideMemory?.noteSetAside(consumer, rows);
      deps.metrics?.deadLetterMessages.inc(
        { topic: deps.log.qualifiedName(EVENTS_DEAD_LETTER_TOPIC) },
        entries.length,
      );
      for (const { record, cause, reason, eventId } of entries) {
        const where = { topic: record.topic, partition: record.partition, offset: record.offset };
        logger.error(
          { ...where, consumer, cause, eventId, reason },
          'log record set aside: moved to the dead-letter topic',
        );
      }
    },
  };
}
