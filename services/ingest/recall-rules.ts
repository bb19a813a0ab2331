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
import type { RecallReads } from '../common/trace/recall-reads.js';
import type { SubmittedEvent } from './parse-submission.js';
import type { RuleReads } from './rule-reads.js';

interface Item {
  readonly index: number;
  readonly event: SubmittedEvent;
}

export type { IngestWarning };

const invalid = (item: Item, path: string, message: string) =>
  invalidInput(
    [{ index: item.index, eventId: item.event.eventId, path, message }],
    'invalid_event',
  );

interface ItemOf<T extends SuyuanEvent['eventType']> {
  readonly index: number;
  readonly event: Extract<SubmittedEvent, { eventType: T }>;
}

const of = <T extends SuyuanEvent['eventType']>(items: readonly Item[], type: T) =>
  items.filter((item) => item.event.eventType === type) as Array<ItemOf<T>>;

function checkMode(item: ItemOf<'RecallInitiated'>, regulator: boolean): void {
  const { mode } = item.event;
  if (regulator && mode !== 'ORDERED')
    throw invalid(item, 'mode', 'a recall a regulator opens is ORDERED (责令召回)');
  if (!regulator && mode !== 'VOLUNTARY')
    throw invalid(
      item,
      'mode',
      'only a regulator orders a recall; a producer opens a VOLUNTARY one (主动召回)',
    );
}

async function checkOwnRoots(reads: RuleReads, caller: Party, item: ItemOf<'RecallInitiated'>) {
  const producers = await reads.batches(item.event.rootBatchIds);
  const own = new Set(
    producers.filter((row) => row.producer === caller.partyId).map((row) => row.batchId),
  );
  if (!item.event.rootBatchIds.every((id) => own.has(id))) {
    throw new SuyuanError(
      'forbidden',
      'rootBatchIds: only the producer of every root batch, or a regulator, may open a recall of them',
    );
  }
}

async function checkRecallIdFree(reads: RuleReads, item: ItemOf<'RecallInitiated'>) {
  // The same event again is a duplicate, settled later; another event reusing the id is not.
  if (await reads.recallIdUsed(item.event.recallId, item.event.eventId)) {
    throw new SuyuanError(
      'conflict',
      `events[${item.index}].recallId: recall ${item.event.recallId} exists already`,
    );
  }
}

async function checkInitiated(reads: RuleReads, caller: Party, items: readonly Item[]) {
  const regulator = caller.roles.includes('regulator');
  for (const item of of(items, 'RecallInitiated')) {
    checkMode(item, regulator);
    // Whether the caller may open this recall is settled before whether its id is taken, so a
    // party that may not learns nothing of the recalls of others.
    if (!regulator) await checkOwnRoots(reads, caller, item);
    await checkRecallIdFree(reads, item);
  }
}

async function checkClosed(reads: RuleReads, caller: Party, items: readonly Item[]) {
  for (const item of of(items, 'RecallClosed')) {
    if (!caller.roles.includes('regulator'))
      throw new SuyuanError('forbidden', 'only a regulator may close a recall');
    const live = await reads.liveRecallIds([item.event.recallId]);
    if (!live.has(item.event.recallId))
      throw invalid(item, 'recallId', `unknown recall ${item.event.recallId}`);
  }
}

async function checkAnswers(reads: RuleReads, caller: Party, items: readonly Item[]) {
  const answers = [...of(items, 'RecallAcknowledged'), ...of(items, 'RecallProgressReported')];
  if (answers.length === 0) return;
  const recipientOf = await reads.noticeRecipients(answers.map((item) => item.event.noticeId));
  // Notice ids derive from (recall, recipient), so anyone can compute one: an unknown notice and
  // another party's get the same answer, or the answer would tell who a recall reached.
  for (const item of answers) {
    if (recipientOf.get(item.event.noticeId) !== caller.partyId)
      throw new SuyuanError(
        'forbidden',
        `events[${item.index}].noticeId: a party may answer only a notice issued to it`,
      );
  }
}

export async function checkRecallRules(
  reads: RuleReads,
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
  await checkInitiated(reads, caller, items);
  await checkClosed(reads, caller, items);
  await checkAnswers(reads, caller, items);
}

/** A shipment of a batch under an open recall is accepted, with a warning naming the recall. */
export async function recallWarnings(
  reads: RecallReads,
  items: readonly Item[],
): Promise<IngestWarning[]> {
  const shipments = of(items, 'BatchShipped');
  if (shipments.length === 0) return [];
  const rows = await reads.openRecallsNaming(
    shipments.flatMap((item) => item.event.lines.map((line) => line.batchId)),
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
