/**
 * The recall service: consumes the event log, opens recalls the policy asks for, and keeps every
 * open recall standing — whenever an event moves an affected batch to a new party or uses one as
 * an input, the new party gets its notice.
 *
 * Ordering with the projector: before acting on records up to offset N it waits until the
 * projector has committed past N, so the store it reads holds at least everything it has seen.
 * Decisions are recomputed from the store, and notice ids are derived from (recall, recipient),
 * so a crash, a replay or a race issues the same notices again, never new ones.
 */
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { logKeyOf } from '../common/events/keys.js';
import type {
  EventLog,
  StoredRecord,
  SubscribeOptions,
  Subscription,
} from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../common/store/store.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import { PROJECTOR_GROUP } from '../projector/projector.js';
import type { RecallPolicy } from './policy.js';
import { triggeredRecall } from './recall-triggers.js';
import { createRecallBook, type OpenRecall } from './recall-book.js';

export const RECALL_GROUP = 'suyuan-recall';

export interface RecallServiceDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly policy: RecallPolicy;
  /** The party the service acts as when it writes events. */
  readonly systemPartyId: string;
  readonly batchSize?: number;
  readonly now?: () => Date;
  /** Told how joining the consumer group goes (for `/readyz`). */
  readonly onStateChange?: SubscribeOptions['onStateChange'];
}

export async function startRecallService(
  deps: RecallServiceDeps,
): Promise<{ stop(): Promise<void> }> {
  const logger = deps.logger.child({ component: 'recall-service' });
  const book = createRecallBook({ ...deps, logger, now: deps.now ?? (() => new Date()) });
  let stopping = false;
  const subscription: Subscription = await deps.log.subscribe({
    topic: EVENTS_TOPIC,
    groupId: RECALL_GROUP,
    maxBatchSize: deps.batchSize ?? 500,
    handleBatch: async (records) => {
      await waitForProjector(deps.log, records, () => stopping);
      await handleRecords(deps, book, records);
    },
    onStateChange: deps.onStateChange,
  });
  logger.info({ group: RECALL_GROUP }, 'recall service started');
  return {
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

async function handleRecords(
  deps: RecallServiceDeps,
  book: ReturnType<typeof createRecallBook>,
  records: readonly StoredRecord[],
) {
  const events = records.flatMap((record) => {
    try {
      return [deps.codec.decode(record.value)];
    } catch {
      return []; // the projector moves undecodable messages to the dead-letter topic
    }
  });
  book.observe(events);
  const opened = await openTriggeredRecalls(deps, book, events);
  if (opened.length > 0) {
    await deps.log.append(
      EVENTS_TOPIC,
      opened.map((event) => ({ key: logKeyOf(event), value: deps.codec.encode(event) })),
    );
  }
  await book.keepStanding(events);
}

async function openTriggeredRecalls(
  deps: RecallServiceDeps,
  book: ReturnType<typeof createRecallBook>,
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
