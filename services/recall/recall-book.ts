/**
 * What the recall service knows about open recalls: their affected batches (cached, recomputed
 * from the store when an event touches them) and the recipients already notified.
 */
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { logRecordOf } from '../common/events/log-record.js';
import type { EventLog } from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import { stableUuid } from '../common/stable-id.js';
import { findOpenRecalls } from '../common/store/projection-rules.js';
import type { Store } from '../common/store/store.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import { recallDeadlines } from './deadlines.js';
import { noticeIdFor, type PlannedNotice } from './plan-notices.js';
import type { RecallLevel } from '../common/recall-policy.js';
import { computeRecallScope } from './recall-scope.js';

export interface OpenRecall {
  readonly recallId: string;
  readonly level: RecallLevel;
  readonly rootBatchIds: string[];
}

type Notice = Extract<SuyuanEvent, { eventType: 'RecallNoticeIssued' }>;

interface BookDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly reads: TraceReads;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly systemPartyId: string;
  readonly now: () => Date;
}

/** The batches an event moves to a party or consumes: what can widen a standing recall. */
function batchesMovedBy(event: SuyuanEvent): string[] {
  switch (event.eventType) {
    case 'BatchShipped':
    case 'BatchReceived':
      return event.lines.map((line) => line.batchId);
    case 'BatchProduced':
      return event.inputs.map((input) => input.batchId);
    default:
      return [];
  }
}

/** Events after which the set of open recalls may differ: a recall opened, closed, or retracted. */
const CHANGES_OPEN_RECALLS: ReadonlySet<SuyuanEvent['eventType']> = new Set([
  'RecallInitiated',
  'RecallClosed',
  'EventRetracted',
]);

export function createRecallBook(deps: BookDeps) {
  const affected = new Map<string, ReadonlySet<string>>();
  const notified = new Map<string, Set<string>>();
  // The open recalls change only through the events above, and the recall service sees every
  // event once it is projected; so the set is read again after such an event, not for every batch.
  let openCache: Promise<OpenRecall[]> | undefined;

  const openRecalls = () => {
    openCache ??= findOpenRecalls(deps.store)
      .then((rows) =>
        rows.map((row) => ({
          recallId: row.recallId,
          level: row.level as RecallLevel,
          rootBatchIds: row.rootBatchIds,
        })),
      )
      .catch((error: unknown) => {
        openCache = undefined;
        throw error;
      });
    return openCache;
  };

  const notifiedFor = async (recallId: string) => {
    const known = notified.get(recallId);
    if (known) return known;
    const rows = await deps.store.query<{ recipient: string }>(
      'SELECT DISTINCT recipient FROM recall_notices FINAL WHERE recall_id = {id:String}',
      { id: recallId },
    );
    const set = new Set(rows.map((row) => row.recipient));
    notified.set(recallId, set);
    return set;
  };

  const noticeEvent = (recall: OpenRecall, planned: PlannedNotice, now: string): Notice => ({
    eventType: 'RecallNoticeIssued',
    eventId: stableUuid(`recall-notice-event/${recall.recallId}/${planned.recipient}`),
    eventTime: now,
    recordedAt: now,
    party: deps.systemPartyId,
    location: null,
    operator: null,
    noticeId: noticeIdFor(recall.recallId, planned.recipient),
    recallId: recall.recallId,
    recipient: planned.recipient,
    batches: planned.batches,
    deadline: recallDeadlines(recall.level, now).startBy,
    actions: planned.actions,
  });

  const refresh = async (recall: OpenRecall) => {
    const scope = await computeRecallScope(deps.reads, recall.rootBatchIds);
    affected.set(recall.recallId, scope.affected);
    const already = await notifiedFor(recall.recallId);
    const now = deps.now().toISOString();
    const fresh = scope.notices.filter((notice) => !already.has(notice.recipient));
    if (fresh.length === 0) return;
    const events = fresh.map((planned) => noticeEvent(recall, planned, now));
    await deps.log.append(
      EVENTS_TOPIC,
      events.map((event) => logRecordOf(event, deps.codec)),
    );
    for (const notice of fresh) already.add(notice.recipient);
    deps.logger.info(
      {
        recallId: recall.recallId,
        notices: fresh.length,
        affectedBatches: scope.affected.size,
        truncated: scope.truncated,
      },
      'recall notices issued',
    );
  };

  return {
    /** Takes note of projected events before they are handled: they may open or close recalls. */
    observe(events: readonly SuyuanEvent[]) {
      if (events.some((event) => CHANGES_OPEN_RECALLS.has(event.eventType))) {
        openCache = undefined;
      }
    },

    /** Widens every open recall that these events touch (and settles recalls seen for the first time). */
    async keepStanding(events: readonly SuyuanEvent[]) {
      const open = await openRecalls();
      const openIds = new Set(open.map((recall) => recall.recallId));
      for (const id of affected.keys()) if (!openIds.has(id)) affected.delete(id);
      const moved = new Set(events.flatMap(batchesMovedBy));
      for (const recall of open) {
        const known = affected.get(recall.recallId);
        if (!known || [...moved].some((batchId) => known.has(batchId))) await refresh(recall);
      }
    },

    /** The open recall (or one being opened now) that already has all these roots, if any. */
    async coveredRoots(roots: readonly string[], opening: readonly SuyuanEvent[]) {
      const pending = opening.flatMap((event) =>
        event.eventType === 'RecallInitiated' ? [event] : [],
      );
      const candidates = [
        ...(await openRecalls()).map((recall) => ({
          recallId: recall.recallId,
          roots: recall.rootBatchIds,
        })),
        ...pending.map((event) => ({ recallId: event.recallId, roots: event.rootBatchIds })),
      ];
      return candidates.find((recall) => roots.every((root) => recall.roots.includes(root)))
        ?.recallId;
    },
  };
}
