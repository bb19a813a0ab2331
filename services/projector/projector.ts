/**
 * Consumes the event log and writes the trace tables. Offsets are committed only after the rows
 * are written; rows are keyed by event id, so a crash between write and commit changes nothing.
 *
 * One record must not stop projection for everyone (issue 13). A record is set aside — moved to
 * the dead-letter topic with the reason and its source offset, and recorded in `dead_letters` —
 * when it cannot be decoded, when an operator quarantined its offset, or when the store refuses
 * its values: a batch the store refuses is tried again, then split until the refused events are
 * found (common/log/isolate-refused.ts), their rows are removed, and the rest are written. A store
 * that cannot be reached refuses nothing: the batch fails whole and comes again after a backoff.
 */
import {
  createDeadLetters,
  type DeadLetterDeps,
  type DeadLetters,
  type SetAside,
} from '../common/dead-letters/dead-letters.js';
import type { Failpoint } from '../common/config.js';
import { isSuyuanError } from '../common/errors.js';
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { createConsumerHealth, type ConsumerHealth } from '../common/log/consumer-health.js';
import type {
  EventLog,
  StoredRecord,
  SubscribeOptions,
  Subscription,
} from '../common/log/event-log.js';
import { handleIsolating } from '../common/log/isolate-refused.js';
import type { Logger } from '../common/logger.js';
import type { Metrics } from '../common/metrics/metrics.js';
import { slicesInTurns } from '../common/runtime/slices-in-turns.js';
import type { Store } from '../common/store/store.js';
import {
  emptyRows,
  FOR_SERVING,
  forStoreBeside,
  projectEvents,
  type ProjectOptions,
  type ProjectionRows,
  type ProjectionTable,
} from '../common/projection/projection.js';
import { WRITE_ORDER } from '../common/projection/write-order.js';
import type { LmdbServingIndex } from '../common/serving/lmdb-serving-index.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC, PROJECTOR_GROUP } from '../common/topics.js';
import { catchUpServingIndex } from './serving-catch-up.js';
import { decodable, startServingFeeder, type ServingFeeder } from './serving-feeder.js';

/**
 * The batch that lingers the whole of `lingerMs`. Batches may be far larger (PROJECTOR_BATCH_SIZE,
 * 5 000 by default): chDB's cost per insert is mostly fixed, and under a backlog of 1000-event
 * POSTs its threads took 0.05–0.09 CPU-seconds per 1 000 events in inserts of 5 000, against
 * 0.15–0.19 in inserts of 1 000. A steady stream is not held back until it fills one, though: from
 * 1 000 events on, a partial batch's rows make inserts cheap enough, and the next goes after
 * `lingerMs` at most (`SubscribeOptions`).
 */
export const LINGER_FULL_AT = 1_000;

export interface ProjectorDeps extends Pick<DeadLetterDeps, 'setAsideMemory'> {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly batchSize: number;
  /**
   * After a batch that was not full, how long at most to let events gather before the next (ms;
   * 0 or absent: at once), in proportion to how full it was, counted up to {@link LINGER_FULL_AT}
   * events (`SubscribeOptions.lingerMs`). A stream of single events then makes a few full store
   * inserts a second instead of one small part per append, while an event after a quiet spell, or
   * after a lone one (a recall's next step), is written at once; traces do not wait for it, the
   * serving index is fed apart (serving-feeder.ts).
   */
  readonly lingerMs?: number;
  /** The consumer group; a new group re-projects the whole log (replay). */
  readonly groupId?: string;
  /** Records batch sizes, batch latency and dead-lettered messages when given. */
  readonly metrics?: Metrics;
  /** How long records may wait with no progress before the projector counts as stalled. */
  readonly stallAfterMs?: number;
  /**
   * Where the projector notes how it gets on; made from the deps above when not given. A process
   * that starts the projector in the background makes it first, so /readyz has it at once.
   */
  readonly health?: ConsumerHealth;
  /** Told how joining the consumer group goes (for `/readyz`). */
  readonly onStateChange?: SubscribeOptions['onStateChange'];
  /**
   * The serving index of the embedded platform (docs/adr/0001-serving-path.md), fed from the log
   * ahead of the store by the serving feeder: a batch goes to the store once the index holds it,
   * so no event is in the store before it is in the index.
   */
  readonly servingIndex?: LmdbServingIndex;
  /** Crash tests only: where the process kills itself (config.ts, FAILPOINTS). */
  readonly failpoints?: ReadonlySet<Failpoint>;
}

export interface Projector {
  /** Whether the projector gets on, for /readyz and /metrics. */
  readonly health: ConsumerHealth;
  stop(): Promise<void>;
}

interface Decoded {
  readonly record: StoredRecord;
  readonly event: SuyuanEvent;
}

/** How the projector gets on (progress, failed batches), for /readyz and /metrics. */
export function projectorHealth(
  deps: Pick<ProjectorDeps, 'log' | 'groupId' | 'metrics' | 'stallAfterMs'>,
): ConsumerHealth {
  const group = deps.groupId ?? PROJECTOR_GROUP;
  return createConsumerHealth({
    log: deps.log,
    topic: EVENTS_TOPIC,
    group,
    stallAfterMs: deps.stallAfterMs,
    onFailure: () =>
      deps.metrics?.consumerFailures.inc({
        topic: deps.log.qualifiedName(EVENTS_TOPIC),
        group: deps.log.qualifiedName(group),
      }),
  });
}

export async function startProjector(deps: ProjectorDeps): Promise<Projector> {
  const logger = deps.logger.child({ component: 'projector' });
  await deps.log.ensureTopic(EVENTS_TOPIC);
  await deps.log.ensureTopic(EVENTS_DEAD_LETTER_TOPIC);
  const groupId = deps.groupId ?? PROJECTOR_GROUP;
  // Reported from the start at 0, so that a rate over it works before the first poison message.
  deps.metrics?.deadLetterMessages.inc(
    { topic: deps.log.qualifiedName(EVENTS_DEAD_LETTER_TOPIC) },
    0,
  );
  const health = deps.health ?? projectorHealth(deps);
  const deadLetters = createDeadLetters(deps);
  let feeder: ServingFeeder | undefined;
  if (deps.servingIndex) {
    const index = deps.servingIndex;
    await catchUpServingIndex({ ...deps, index, groupId, logger, deadLetters });
    feeder = startServingFeeder({ ...deps, index, logger });
  }
  const forStore = forStoreBeside(deps.log);
  const project = async (records: readonly StoredRecord[]) => {
    const started = performance.now();
    await projectBatch({ ...deps, groupId, deadLetters, feeder, forStore }, records);
    const seconds = (performance.now() - started) / 1000;
    // Observed once the batch is written: a failed batch is delivered again and counted then.
    deps.metrics?.projectionBatchSize.observe(records.length);
    deps.metrics?.projectionBatchSeconds.observe(seconds);
    logger.debug({ records: records.length, ms: Math.round(seconds * 1000) }, 'projected batch');
  };
  const subscription: Subscription = await deps.log.subscribe({
    topic: EVENTS_TOPIC,
    groupId,
    maxBatchSize: deps.batchSize,
    ...(deps.lingerMs !== undefined && { lingerMs: deps.lingerMs, lingerFullAt: LINGER_FULL_AT }),
    handleBatch: health.watch(project),
    onStateChange: deps.onStateChange,
  });
  logger.info({ topic: EVENTS_TOPIC, group: groupId }, 'projector started');
  return {
    health,
    // The batch in hand waits on the feeder: the subscription stops first.
    stop: async () => {
      await subscription.stop();
      await feeder?.stop();
    },
  };
}

/**
 * Writes the batch's rows, and sets aside the records it cannot: the quarantined and undecodable
 * ones before writing (as soon as they are known), the refused ones once they are found.
 */
async function projectBatch(
  deps: ProjectorDeps & {
    readonly groupId: string;
    readonly deadLetters: DeadLetters;
    readonly feeder: ServingFeeder | undefined;
    /** The store's rows beside this log (`forStoreBeside`). */
    readonly forStore: ProjectOptions;
  },
  records: readonly StoredRecord[],
): Promise<void> {
  const { deadLetters, feeder, forStore } = deps;
  const { quarantined } = await deadLetters.skippedAmong(records);
  const skipped: SetAside[] = [];
  const decoded: Decoded[] = [];
  for (const record of records) {
    const reason = quarantined.get(record.offset);
    if (reason !== undefined) {
      skipped.push({ record, cause: 'quarantined', reason: `quarantined: ${reason}` });
      continue;
    }
    try {
      decoded.push({ record, event: deps.codec.decode(record.value) });
    } catch (error) {
      skipped.push({ record, cause: 'undecodable', reason: messageOf(error) });
    }
  }
  await deadLetters.setAside(deps.groupId, skipped);
  const { servingIndex } = deps;
  const last = records.at(-1);
  if (feeder && last) {
    // The index holds the batch before the store does (the feeder is usually well ahead).
    await feeder.reached(last.partition, last.offset + 1);
    const quarantined = skipped.filter((entry) => entry.cause === 'quarantined');
    if (quarantined.length > 0) {
      const events = decodable(
        deps.codec,
        quarantined.map((entry) => entry.record),
      );
      await servingIndex?.remove(projectEvents(events, FOR_SERVING));
    }
    if (deps.failpoints?.has('projector.after-serving-index')) process.kill(process.pid, 'SIGKILL');
  }
  const rowsOf = (items: readonly Decoded[]) =>
    projectInTurns(
      items.map((item) => item.event),
      forStore,
    );
  const refused = await handleIsolating(decoded, {
    handle: async (part) => writeRows(deps.store, await rowsOf(part)),
    isRefusal: (error) => refusedByStore(deps.store, error),
  });
  for (const { item } of refused) {
    await removeRows(deps.store, item.event, forStore);
    await servingIndex?.remove(projectEvents([item.event], FOR_SERVING));
  }
  await deadLetters.setAside(
    deps.groupId,
    refused.map(({ item: { record, event }, error }) => ({
      record,
      cause: 'refused' as const,
      reason: messageOf(error),
      eventId: event.eventId,
    })),
  );
}

/** Events projected in one turn of the event loop at most (`projectInTurns`). */
const EVENTS_PER_TURN = 1_000;

/**
 * `projectEvents`, {@link EVENTS_PER_TURN} events a turn of the event loop: a batch of 5 000 took
 * the thread that answers HTTP about 20 ms at once (the store's insert slices its rows alike).
 */
async function projectInTurns(
  events: readonly SuyuanEvent[],
  options: ProjectOptions,
): Promise<ProjectionRows> {
  const rows = emptyRows();
  await slicesInTurns(events, EVENTS_PER_TURN, (slice) => projectEvents(slice, options, rows));
  return rows;
}

/**
 * The store refused the values, and still answers: a refusal from a store that is going away
 * (or a connection cut in the middle of a request) is no reason to set an event aside.
 */
async function refusedByStore(store: Store, error: unknown): Promise<boolean> {
  if (!isSuyuanError(error) || error.code !== 'store_refused') return false;
  return store.ping().then(
    () => true,
    () => false,
  );
}

/**
 * Every table gets its rows, in {@link WRITE_ORDER}; `derivations_by_output` is filled by a
 * materialized view.
 */
async function writeRows(store: Store, rows: ProjectionRows) {
  for (const table of WRITE_ORDER) await store.insert(table, rows[table]);
}

/**
 * A refused event leaves no rows: tables written before the one that refused it (in this batch
 * or an earlier try of it) may hold some. Those tables key their rows by event id, and ingest
 * never accepts two bodies for one id, so these rows are the refused event's own. The tables
 * keyed across events are written last, so they hold nothing of it (see KEYED_ACROSS_EVENTS).
 */
async function removeRows(store: Store, event: SuyuanEvent, options: ProjectOptions) {
  const rows = projectEvents([event], options);
  const tables: string[] = (Object.keys(rows) as ProjectionTable[]).filter(
    (table) => rows[table].length > 0,
  );
  if (rows.derivations_by_input.length > 0) tables.push('derivations_by_output');
  for (const table of tables) {
    await store.command(`DELETE FROM ${table} WHERE event_id = {eventId:String}`, {
      eventId: event.eventId,
    });
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
