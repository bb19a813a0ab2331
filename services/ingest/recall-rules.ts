/**
 * Who may do what with recalls, checked before anything is written: a regulator orders a recall
 * of any batch (责令召回), the producer of the root batches recalls its own (主动召回); only a
 * regulator closes one; only a notice's recipient answers it.
 */
import type { Party } from '../common/access/party-directory.js';
import type { IngestWarning } from '../common/api/ingest.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { SuyuanError } from '../common/errors.js';
import { invalidInput } from '../common/invalid-input.js';
import type { Store } from '../common/store/store.js';
import type { SubmittedEvent } from './parse-submission.js';

interface Item {
  readonly index: number;
  readonly event: SubmittedEvent;
}

export type { IngestWarning };

const OPEN_RECALLS = `SELECT recall_id FROM recalls FINAL
  WHERE recall_id NOT IN (SELECT recall_id FROM recall_closures FINAL)`;

const invalid = (item: Item, path: string, message: string) =>
  invalidInput(
    [{ index: item.index, eventId: item.event.eventId, path, message }],
    'invalid_event',
  );

const of = <T extends SuyuanEvent['eventType']>(items: readonly Item[], type: T) =>
  items.filter((item) => item.event.eventType === type) as Array<{
    index: number;
    event: Extract<SubmittedEvent, { eventType: T }>;
  }>;

async function checkInitiated(store: Store, caller: Party, items: readonly Item[]) {
  const regulator = caller.roles.includes('regulator');
  for (const item of of(items, 'RecallInitiated')) {
    const { event } = item;
    if (regulator && event.mode !== 'ORDERED')
      throw invalid(item, 'mode', 'a recall a regulator opens is ORDERED (责令召回)');
    if (!regulator && event.mode !== 'VOLUNTARY')
      throw invalid(
        item,
        'mode',
        'only a regulator orders a recall; a producer opens a VOLUNTARY one (主动召回)',
      );
    // The same event again is a duplicate, settled later; another event reusing the id is not.
    const [existing] = await store.query<{ n: number }>(
      `SELECT count() AS n FROM recalls FINAL
       WHERE recall_id = {id:String} AND event_id != {eventId:String}`,
      { id: event.recallId, eventId: event.eventId },
    );
    if (existing && existing.n > 0) {
      throw new SuyuanError(
        'conflict',
        `events[${item.index}].recallId: recall ${event.recallId} exists already`,
      );
    }
    if (regulator) continue;
    const producers = await store.query<{ batchId: string; producer: string }>(
      `SELECT batch_id AS batchId, producer FROM batches FINAL WHERE batch_id IN {ids:Array(String)}
       ORDER BY batch_id, recorded_at, event_id LIMIT 1 BY batch_id`,
      { ids: event.rootBatchIds },
    );
    const own = new Set(
      producers.filter((row) => row.producer === caller.partyId).map((row) => row.batchId),
    );
    if (!event.rootBatchIds.every((id) => own.has(id))) {
      throw new SuyuanError(
        'forbidden',
        'rootBatchIds: only the producer of every root batch, or a regulator, may open a recall of them',
      );
    }
  }
}

async function checkClosed(store: Store, caller: Party, items: readonly Item[]) {
  for (const item of of(items, 'RecallClosed')) {
    if (!caller.roles.includes('regulator'))
      throw new SuyuanError('forbidden', 'only a regulator may close a recall');
    const [known] = await store.query<{ n: number }>(
      'SELECT count() AS n FROM recalls FINAL WHERE recall_id = {id:String}',
      { id: item.event.recallId },
    );
    if (!known || known.n === 0)
      throw invalid(item, 'recallId', `unknown recall ${item.event.recallId}`);
  }
}

async function checkAnswers(store: Store, caller: Party, items: readonly Item[]) {
  const answers = [...of(items, 'RecallAcknowledged'), ...of(items, 'RecallProgressReported')];
  if (answers.length === 0) return;
  const notices = await store.query<{ noticeId: string; recipient: string }>(
    'SELECT DISTINCT notice_id AS noticeId, recipient FROM recall_notices FINAL WHERE notice_id IN {ids:Array(String)}',
    { ids: answers.map((item) => item.event.noticeId) },
  );
  const recipientOf = new Map(notices.map((row) => [row.noticeId, row.recipient]));
  for (const item of answers) {
    const recipient = recipientOf.get(item.event.noticeId);
    if (recipient === undefined)
      throw invalid(item, 'noticeId', `unknown notice ${item.event.noticeId}`);
    if (recipient !== caller.partyId)
      throw new SuyuanError('forbidden', 'noticeId: only the recipient of a notice may answer it');
  }
}

export async function checkRecallRules(
  store: Store,
  caller: Party,
  items: readonly Item[],
): Promise<void> {
  const notice = of(items, 'RecallNoticeIssued')[0];
  if (notice) {
    // One notice per party and recall, so the recall service is the only one that issues them.
    throw new SuyuanError(
      'forbidden',
      `events[${notice.index}].eventType: RecallNoticeIssued is issued by the recall service only`,
    );
  }
  await checkInitiated(store, caller, items);
  await checkClosed(store, caller, items);
  await checkAnswers(store, caller, items);
}

/** A shipment of a batch under an open recall is accepted, with a warning naming the recall. */
export async function recallWarnings(
  store: Store,
  items: readonly Item[],
): Promise<IngestWarning[]> {
  const shipments = of(items, 'BatchShipped');
  if (shipments.length === 0) return [];
  const rows = await store.query<{ batchId: string; recallId: string }>(
    `SELECT DISTINCT batch_id AS batchId, recall_id AS recallId FROM recall_batches FINAL
     WHERE batch_id IN {ids:Array(String)} AND recall_id IN (${OPEN_RECALLS})`,
    { ids: shipments.flatMap((item) => item.event.lines.map((line) => line.batchId)) },
  );
  return shipments.flatMap((item) => {
    const hits = rows.filter((row) =>
      item.event.lines.some((line) => line.batchId === row.batchId),
    );
    if (hits.length === 0) return [];
    const recallIds = [...new Set(hits.map((row) => row.recallId))];
    const batches = [...new Set(hits.map((row) => row.batchId))];
    return [
      {
        index: item.index,
        eventId: item.event.eventId,
        recallIds,
        message: `batch ${batches.join(', ')} is under recall ${recallIds.join(', ')}: it should not be sold on; the recipient will be notified`,
      },
    ];
  });
}
