/**
 * A distributed ingest instance's replica of what its write path reads (docs/adr/0002): the event
 * index that settles idempotency and the rows the write rules read (the counting productions and
 * the recalls), in LMDB on the instance's own disk, fed from the events topic by a consumer of
 * its own. So an ingest request waits on no store statement, as in embedded mode.
 *
 * Its position is its own, committed with its rows (the group is the instance's and new at each
 * start; `resumeAt` seeks it to the replica's position), so a replica that lost its last writes
 * or was deleted is fed again from where it stands. It catches up with the log before the
 * instance serves. Events this instance appended are held in memory until the replica has read
 * them back, so a retry through the same instance is a duplicate at once; through another
 * instance, once that instance's replica has read the event (its lag, ADR 0002 states the bound).
 */
import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../common/events/codec.js';
import { decodedRecords } from '../common/events/decodable.js';
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

/** The event index rows of the decodable records, with the fingerprint ingest sent along. */
function projectRecords(codec: EventCodec, records: readonly StoredRecord[]) {
  const decoded = decodedRecords(codec, records);
  const rows = projectEvents(
    decoded.map(({ event }) => event),
    FOR_SERVING,
  );
  for (const { record, event } of decoded) {
    rows.event_index.push({
      event_id: event.eventId,
      body_hash: record.headers[FINGERPRINT_HEADER] ?? fingerprintEvent(event),
      party: event.party,
      recorded_at: event.recordedAt,
    });
  }
  return { rows, eventIds: decoded.map(({ event }) => event.eventId) };
}

/** Opens the replica at `path` and resolves once it holds the log as it stood at the call. */
export async function openIngestReplica(deps: IngestReplicaDeps): Promise<IngestReplica> {
  const logger = deps.logger.child({ component: 'ingest-replica' });
  const serving = openLmdbServingIndex({ path: deps.path, tables: REPLICA_TABLES });
  const positions = new Map<number, number>();
  const ours = `${EVENTS_TOPIC}/`;
  for (const [where, next] of serving.positions()) {
    if (where.startsWith(ours)) positions.set(Number(where.slice(ours.length)), next);
  }
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
