/**
 * The recall service: consumes the event log, opens recalls the policy asks for, and keeps every
 * open recall standing — whenever an event moves an affected batch to a new party or uses one as
 * an input, the new party gets its notice.
 *
 * Ordering with the projector: before acting on records up to offset N it waits until the
 * projector has committed past N, so the store it reads holds at least everything it has seen.
 * Decisions are recomputed from the store, and notice ids are derived from (recall, recipient),
 * so a crash, a replay or a race issues the same notices again, never new ones.
 *
 * One event must not stop it (issue 13): it skips what the projector set aside (so it acts only
 * on what the store holds) and the offsets an operator quarantined; and an event it fails on by
 * itself, while the store and the log answer, is found by splitting the batch
 * (common/log/isolate-refused.ts) and set aside in the dead-letter topic. While the store or the
 * log cannot be reached, nothing is set aside: the batch comes again after a backoff.
 */
import {
  createDeadLetters,
  type DeadLetterDeps,
  type DeadLetters,
  type SetAside,
} from '../common/dead-letters/dead-letters.js';
import { isSuyuanError } from '../common/errors.js';
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { logRecordOf } from '../common/events/log-record.js';
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
import type { Store } from '../common/store/store.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP, RECALL_GROUP } from '../common/topics.js';
import type { RecallPolicy } from '../common/recall-policy.js';
import { triggeredRecall } from './recall-triggers.js';
import { createRecallBook, type OpenRecall } from './recall-book.js';

export interface RecallServiceDeps extends Pick<DeadLetterDeps, 'setAsideMemory'> {
  readonly log: EventLog;
  readonly store: Store;
  /** The batches and derivations a recall's scope is walked over. */
  readonly reads: TraceReads;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly policy: RecallPolicy;
  /** The party the service acts as when it writes events. */
  readonly systemPartyId: string;
  readonly batchSize?: number;
  readonly now?: () => Date;
  /** Counts dead letters and failed batches when given. */
  readonly metrics?: Metrics;
  /** How long records may wait with no progress before the service counts as stalled. */
  readonly stallAfterMs?: number;
  /**
   * Where the consumer notes how it gets on; made from the deps above when not given. A process
   * that starts the consumer in the background makes it first, so /readyz has it at once.
   */
  readonly health?: ConsumerHealth;
  /** Told how joining the consumer group goes (for `/readyz`). */
  readonly onStateChange?: SubscribeOptions['onStateChange'];
}

export interface RecallService {
  /** Whether the recall consumer gets on, for /readyz and /metrics. */
  readonly health: ConsumerHealth;
  stop(): Promise<void>;
}

type RecallBook = ReturnType<typeof createRecallBook>;

interface Decoded {
  readonly record: StoredRecord;
  readonly event: SuyuanEvent;
}

/** How the recall consumer gets on (progress, failed batches), for /readyz and /metrics. */
export function recallConsumerHealth(
  deps: Pick<RecallServiceDeps, 'log' | 'metrics' | 'stallAfterMs'>,
): ConsumerHealth {
  return createConsumerHealth({
    log: deps.log,
    topic: EVENTS_TOPIC,
    group: RECALL_GROUP,
    stallAfterMs: deps.stallAfterMs,
    onFailure: () =>
      deps.metrics?.consumerFailures.inc({
        topic: deps.log.qualifiedName(EVENTS_TOPIC),
        group: deps.log.qualifiedName(RECALL_GROUP),
      }),
  });
}

export async function startRecallService(deps: RecallServiceDeps): Promise<RecallService> {
  const logger = deps.logger.child({ component: 'recall-service' });
  const book = createRecallBook({ ...deps, logger, now: deps.now ?? (() => new Date()) });
  const deadLetters = createDeadLetters(deps);
  const health = deps.health ?? recallConsumerHealth(deps);
  let stopping = false;
  const subscription: Subscription = await deps.log.subscribe({
    topic: EVENTS_TOPIC,
    groupId: RECALL_GROUP,
    maxBatchSize: deps.batchSize ?? 500,
    handleBatch: health.watch(async (records) => {
      await waitForProjector(deps.log, records, () => stopping);
      await handleIsolated(deps, book, deadLetters, records);
    }),
    onStateChange: deps.onStateChange,
  });
  logger.info({ group: RECALL_GROUP }, 'recall service started');
  return {
    health,
    async stop() {
      stopping = true;
      await subscription.stop();
    },
  };
}

/** Resolves once the projector has committed past the last of `records`. */
async function waitForProjector(
  log: EventLog,
  records: readonly StoredRecord[],
  stopping: () => boolean,
) {
  const last = records.at(-1);
  if (!last) return;
  let stopDeadline: number | undefined;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const committed =
      (await log.committedOffsets(EVENTS_TOPIC, PROJECTOR_GROUP)).get(last.partition) ?? 0;
    if (committed > last.offset) return;
    // On shutdown the projector still runs (it stops after us): give it a moment, then give up
    // and leave the records uncommitted for the next start.
    if (stopping()) stopDeadline ??= Date.now() + 5_000;
    if (stopDeadline !== undefined && Date.now() > stopDeadline) {
      throw new Error('recall service stopping before the projector caught up');
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Handles the records the projector did not set aside and no operator quarantined; sets aside
 * the quarantined ones and any event the service fails on by itself.
 */
async function handleIsolated(
  deps: RecallServiceDeps,
  book: RecallBook,
  deadLetters: DeadLetters,
  records: readonly StoredRecord[],
) {
  const skipped = await deadLetters.skippedAmong(records, PROJECTOR_GROUP);
  const setAside: SetAside[] = [];
  const decoded: Decoded[] = [];
  for (const record of records) {
    const reason = skipped.quarantined.get(record.offset);
    if (reason !== undefined) {
      setAside.push({ record, cause: 'quarantined', reason: `quarantined: ${reason}` });
    } else if (!skipped.setAside.has(record.offset)) {
      try {
        decoded.push({ record, event: deps.codec.decode(record.value) });
      } catch (error) {
        // The projector set aside what it cannot decode; this process may know fewer schemas.
        const reason = error instanceof Error ? error.message : String(error);
        setAside.push({ record, cause: 'undecodable', reason });
      }
    }
  }
  const failed = await handleIsolating(decoded, {
    handle: (part) =>
      handleEvents(
        deps,
        book,
        part.map((item) => item.event),
      ),
    isRefusal: (error) => failedByItself(deps, error),
  });
  for (const { item, error } of failed) {
    const reason = error instanceof Error ? error.message : String(error);
    setAside.push({ record: item.record, cause: 'failed', reason, eventId: item.event.eventId });
  }
  await deadLetters.setAside(
    RECALL_GROUP,
    setAside.sort((a, b) => a.record.offset - b.record.offset),
  );
}

/**
 * An error the event itself causes: not the store or the log out of reach (their errors are
 * retryable), and raised while both answer.
 */
async function failedByItself(deps: RecallServiceDeps, error: unknown): Promise<boolean> {
  if (isSuyuanError(error) && error.retryable) return false;
  return Promise.all([deps.store.ping(), deps.log.ping()]).then(
    () => true,
    () => false,
  );
}

async function handleEvents(deps: RecallServiceDeps, book: RecallBook, events: SuyuanEvent[]) {
  book.observe(events);
  const opened = await openTriggeredRecalls(deps, book, events);
  if (opened.length > 0) {
    await deps.log.append(
      EVENTS_TOPIC,
      opened.map((event) => logRecordOf(event, deps.codec)),
    );
  }
  await book.keepStanding(events);
}

async function openTriggeredRecalls(
  deps: RecallServiceDeps,
  book: RecallBook,
  events: readonly SuyuanEvent[],
) {
  const opened: SuyuanEvent[] = [];
  for (const event of events) {
    const recall = triggeredRecall(deps.policy, event, deps.systemPartyId);
    if (!recall) continue;
    const covered = await book.coveredRoots(recall.rootBatchIds, opened);
    if (covered) {
      deps.logger.info(
        { recallId: covered, trigger: event.eventId },
        'signal on a batch already under recall',
      );
      continue;
    }
    opened.push(recall);
  }
  return opened;
}

export type { OpenRecall };
