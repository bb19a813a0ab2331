/**
 * Consumes the event log and writes the trace tables. Offsets are committed only after the rows
 * are written; rows are keyed by event id, so a crash between write and commit changes nothing.
 * A message that cannot be decoded goes to the dead-letter topic with the reason, and the stream
 * moves on.
 */
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import type {
  EventLog,
  StoredRecord,
  SubscribeOptions,
  Subscription,
} from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import type { Metrics } from '../common/metrics/metrics.js';
import type { Store } from '../common/store/store.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../common/topics.js';
import { projectEvents, type ProjectionTable } from './projection.js';

export const PROJECTOR_GROUP = 'suyuan-projector';

export interface ProjectorDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly batchSize: number;
  /** The consumer group; a new group re-projects the whole log (replay). */
  readonly groupId?: string;
  /** Records batch sizes, batch latency and dead-lettered messages when given. */
  readonly metrics?: Metrics;
  /** Told how joining the consumer group goes (for `/readyz`). */
  readonly onStateChange?: SubscribeOptions['onStateChange'];
}

export interface Projector {
  stop(): Promise<void>;
}

export async function startProjector(deps: ProjectorDeps): Promise<Projector> {
  const logger = deps.logger.child({ component: 'projector' });
  await deps.log.ensureTopic(EVENTS_TOPIC);
  await deps.log.ensureTopic(EVENTS_DEAD_LETTER_TOPIC);
  const groupId = deps.groupId ?? PROJECTOR_GROUP;
  // Reported from the start at 0, so that a rate over it works before the first poison message.
  deps.metrics?.deadLetterMessages.inc({ topic: EVENTS_DEAD_LETTER_TOPIC }, 0);
  const subscription: Subscription = await deps.log.subscribe({
    topic: EVENTS_TOPIC,
    groupId,
    maxBatchSize: deps.batchSize,
    handleBatch: (records) => projectBatch(deps, logger, records),
    onStateChange: deps.onStateChange,
  });
  logger.info({ topic: EVENTS_TOPIC, group: groupId }, 'projector started');
  return { stop: () => subscription.stop() };
}

async function projectBatch(deps: ProjectorDeps, logger: Logger, records: readonly StoredRecord[]) {
  const started = performance.now();
  const events: SuyuanEvent[] = [];
  const poison: Array<{ record: StoredRecord; error: Error }> = [];
  for (const record of records) {
    try {
      events.push(deps.codec.decode(record.value));
    } catch (error) {
      poison.push({ record, error: error as Error });
    }
  }
  if (poison.length > 0) await deadLetter(deps, logger, poison);
  await writeRows(deps.store, projectEvents(events));
  const seconds = (performance.now() - started) / 1000;
  // Observed once the batch is written: a failed batch is delivered again and counted then.
  deps.metrics?.projectionBatchSize.observe(records.length);
  deps.metrics?.projectionBatchSeconds.observe(seconds);
  logger.debug({ events: events.length, ms: Math.round(seconds * 1000) }, 'projected batch');
}

/** Every table gets its rows; `derivations_by_output` is filled by a materialized view. */
async function writeRows(store: Store, rows: ReturnType<typeof projectEvents>) {
  for (const [table, tableRows] of Object.entries(rows) as Array<[ProjectionTable, object[]]>) {
    await store.insert(table, tableRows);
  }
}

async function deadLetter(
  deps: ProjectorDeps,
  logger: Logger,
  poison: ReadonlyArray<{ record: StoredRecord; error: Error }>,
) {
  await deps.log.append(
    EVENTS_DEAD_LETTER_TOPIC,
    poison.map(({ record, error }) => ({
      key: record.key,
      value: record.value,
      headers: {
        'source-topic': record.topic,
        'source-partition': String(record.partition),
        'source-offset': String(record.offset),
        error: error.message,
      },
    })),
  );
  deps.metrics?.deadLetterMessages.inc({ topic: EVENTS_DEAD_LETTER_TOPIC }, poison.length);
  for (const { record, error } of poison) {
    logger.error(
      { err: error, topic: record.topic, partition: record.partition, offset: record.offset },
      'undecodable message moved to the dead-letter topic',
    );
  }
}
