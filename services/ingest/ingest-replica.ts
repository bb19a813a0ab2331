/**
 * A distributed ingest instance's replica of what its write path reads (docs/adr/0002): the event
 * index that settles idempotency and the rows the write rules read (the counting productions and
 * the recalls), in LMDB on the instance's own disk, fed from the events topic by a consumer of
 * its own. So an ingest request waits on no store statement, as in embedded mode.
 *
 * Its position is its own, committed with its rows (the group is the instance's, new at each start
 * and deleted at a clean stop; `resumeAt` seeks it to the replica's position), so a replica that
 * lost its last writes or was deleted is fed again from where it stands. It catches up with the
 * log before the instance serves. Events this instance appended are held in memory until the
 * replica has read them back, so a retry through the same instance is a duplicate at once;
 * through another instance, once that instance's replica has read the event (its lag, ADR 0002
 * states the bound).
 */
import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../common/events/codec.js';
import type { EventType, SuyuanEvent } from '../common/events/event-types.generated.js';
import { fingerprintEvent } from '../common/events/fingerprint.js';
import {
  FINGERPRINT_HEADER,
  type EventLog,
  type StoredRecord,
  type Subscription,
} from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import { SuyuanError } from '../common/errors.js';
import { FOR_SERVING, projectEvents } from '../common/projection/projection.js';
import { createLmdbRecallReads } from '../common/serving/lmdb-recall-reads.js';
import { openLmdbServingIndex } from '../common/serving/lmdb-serving-index.js';
import { createLmdbTraceReads } from '../common/serving/lmdb-trace-reads.js';
import type { ServingTable } from '../common/serving/serving-rows.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import type { EventIndex, IndexedEvent } from './event-index.js';
import type { RuleReads } from './rule-reads.js';

/** What the write path reads: the event index, batch claims and the recalls. */
export const REPLICA_TABLES: readonly ServingTable[] = [
  'eventIndex',
  'productions',
  'retractions',
  'recallBatches',
  'recallInitiations',
  'recallClosures',
  'recallNotices',
];

/** Records a batch of the replica's consumer may bring, at most (as the serving feeder's). */
const BATCH_SIZE = 5_000;
/** How often the catch-up at start says how far it got. */
const PROGRESS_EVERY_MS = 5_000;

export interface IngestReplica {
  /** Its consumer group, whose committed offsets follow the replica (the lag /metrics shows). */
  readonly group: string;
  readonly reads: RuleReads;
  readonly index: EventIndex;
  stop(): Promise<void>;
}

export interface IngestReplicaDeps {
  readonly log: EventLog;
  readonly codec: EventCodec;
  /** The LMDB directory, the instance's own. */
  readonly path: string;
  readonly logger: Logger;
}

/**
 * The event types whose rows the replica keeps beyond their event index entry: those its rules
 * read (a unit test holds that no other type projects into `REPLICA_TABLES`). Every other event
 * is read by its envelope alone (type, id, party), about a sixth of a whole decode, and not
 * projected.
 */
export const RULE_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'BatchProduced',
  'EventRetracted',
  'RecallInitiated',
  'RecallClosed',
  'RecallNoticeIssued',
]);

/**
 * The rows of the records the replica keeps: the rule events' projection, and each event's index
 * entry with the fingerprint ingest sent along (computed when a record has none). Records no
 * schema here reads are left out, as the serving feeder leaves them.
 */
function projectRecords(codec: EventCodec, records: readonly StoredRecord[]) {
  const events: SuyuanEvent[] = [];
  const entries: Array<Record<string, unknown>> = [];
  for (const record of records) {
    try {
      const envelope = codec.envelopeOf(record.value);
      const fingerprint = record.headers[FINGERPRINT_HEADER];
      const ruled = RULE_EVENT_TYPES.has(envelope.eventType);
      if (fingerprint !== undefined && !ruled) {
        entries.push({ event_id: envelope.eventId, body_hash: fingerprint, party: envelope.party });
        continue;
      }
      const event = codec.decode(record.value);
      if (ruled) events.push(event);
      const bodyHash = fingerprint ?? fingerprintEvent(event);
      entries.push({ event_id: event.eventId, body_hash: bodyHash, party: event.party });
    } catch {
      // No schema here reads it: left out, as the serving feeder leaves it.
    }
  }
  const rows = projectEvents(events, FOR_SERVING);
  rows.event_index.push(...entries);
  return { rows, eventIds: entries.map((entry) => String(entry.event_id)) };
}

/** Opens the replica at `path` and resolves once it holds the log as it stood at the call. */
export async function openIngestReplica(deps: IngestReplicaDeps): Promise<IngestReplica> {
  const logger = deps.logger.child({ component: 'ingest-replica' });
  const serving = openLmdbServingIndex({ path: deps.path, tables: REPLICA_TABLES });
  const positions = serving.positions(EVENTS_TOPIC);
  /** Appended by this instance and not read back yet. */
  const pending = new Map<string, IndexedEvent>();
  let failed = false;
  let applied = 0;
  let onApplied = (): void => undefined;

  // The instance's own, for this run: where it resumes is the replica's position.
  const group = `suyuan-ingest-replica-${randomUUID()}`;
  let subscription: Subscription;
  try {
    subscription = await deps.log.subscribe({
      topic: EVENTS_TOPIC,
      groupId: group,
      maxBatchSize: BATCH_SIZE,
      resumeAt: (partition) => positions.get(partition) ?? 0,
      // New at each start: a clean stop leaves no group behind.
      deleteGroupOnStop: true,
      async handleBatch(records) {
        const last = records.at(-1);
        if (!last) return;
        const { rows, eventIds } = projectRecords(deps.codec, records);
        const nextOffset = last.offset + 1;
        await serving.apply(rows, { topic: EVENTS_TOPIC, partition: last.partition, nextOffset });
        positions.set(last.partition, nextOffset);
        for (const eventId of eventIds) pending.delete(eventId);
        applied += records.length;
        onApplied();
      },
      onStateChange(state) {
        if (state !== 'failed') return;
        failed = true;
        logger.error('ingest replica: its consumer stopped; ingest refuses events until restarted');
      },
    });
  } catch (error) {
    await serving.close();
    throw error;
  }

  const stop = async () => {
    await subscription.stop();
    await serving.close();
  };
  try {
    await catchUp(await deps.log.endOffsets(EVENTS_TOPIC));
  } catch (error) {
    await stop();
    throw error;
  }

  /** Resolves once every partition's position reached `ends` (the log's end at start). */
  async function catchUp(ends: ReadonlyMap<number, number>) {
    const behind = () =>
      [...ends].reduce(
        (sum, [partition, end]) => sum + Math.max(0, end - (positions.get(partition) ?? 0)),
        0,
      );
    const total = behind();
    logger.info({ path: deps.path, behind: total }, 'ingest replica: catching up with the log');
    let lastSaid = Date.now();
    while (behind() > 0) {
      if (failed) throw new SuyuanError('log_unavailable', 'ingest replica: its consumer stopped');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, PROGRESS_EVERY_MS);
        onApplied = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (Date.now() - lastSaid >= PROGRESS_EVERY_MS) {
        lastSaid = Date.now();
        logger.info({ applied, behind: behind(), of: total }, 'ingest replica: catching up');
      }
    }
    onApplied = () => undefined;
    logger.info({ applied }, 'ingest replica: caught up');
  }

  const rules = createLmdbTraceReads(serving);
  return {
    group,
    reads: { batches: (ids) => rules.batches(ids), ...createLmdbRecallReads(serving) },
    index: {
      find(eventIds) {
        if (failed) {
          return Promise.reject(
            new SuyuanError('log_unavailable', 'ingest replica: its consumer stopped'),
          );
        }
        const found = new Map<string, IndexedEvent>();
        for (const eventId of eventIds) {
          const held = serving.db.eventIndex.get(eventId);
          const entry = held ? { eventId, ...held } : pending.get(eventId);
          if (entry) found.set(eventId, entry);
        }
        return Promise.resolve(found);
      },
      record(events) {
        // Those the replica read back already are held; the others wait for it.
        for (const event of events) {
          if (serving.db.eventIndex.get(event.eventId) === undefined) {
            pending.set(event.eventId, event);
          }
        }
        return Promise.resolve();
      },
    },
    stop,
  };
}
