/**
 * The recalls as a caller reads them (README, Recalls). Regulators and admins see every recall
 * whole. Any other party sees the recalls it initiated or was notified of, each through its
 * one-up/one-down share (recall-reach.ts): the progress and its tiers whole, names and batch ids
 * only within the share. To such a party a recall out of its reach and one that does not exist
 * answer alike, as batches do.
 */
import type { NoticeView, RecallReport, RecallView } from '../common/api/recalls.js';
import { SuyuanError } from '../common/errors.js';
import type { Store } from '../common/store/store.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { custodyTiers, factsWithin, recallSeenThrough, recallShare } from './recall-reach.js';
import {
  findNotices,
  findRecall,
  findRecalls,
  type NoticeRow,
  type RecallReader,
  type RecallRow,
  type RecallStatus,
} from './recall-queries.js';
import { findScopeFacts } from './recall-scope.js';
import { recallEffectiveness } from './recall-effectiveness.js';
import { reportRow } from './recall-report.js';
import { noticeView, recallView } from './recall-views.js';

/** What the reads need: the recall tables, and the custody of batches for tiers and shares. */
export interface RecallReadDeps {
  readonly store: Store;
  readonly reads: TraceReads;
}

/** A recall and the notices of it the reader may see. */
export interface SeenRecall {
  readonly recall: RecallView;
  readonly notices: NoticeView[];
}

/** The batches a recall names: its roots, and every batch its notices list. */
const namedBy = (recall: RecallRow) =>
  new Set([...recall.rootBatchIds, ...recall.affectedBatchIds]);

/**
 * The recalls as `reader` sees them. Progress is counted over every notice of a recall; the
 * facts behind tiers and shares are read once for all the recalls.
 */
async function seeRecalls(
  reads: TraceReads,
  reader: RecallReader,
  recalls: readonly RecallRow[],
  rows: readonly NoticeRow[],
  now: Date,
): Promise<SeenRecall[]> {
  const noticesOf = new Map<string, NoticeView[]>();
  for (const row of rows) {
    const notices = noticesOf.get(row.recallId) ?? [];
    notices.push(noticeView(row, now));
    noticesOf.set(row.recallId, notices);
  }
  const facts = await findScopeFacts(reads, new Set(recalls.flatMap((r) => [...namedBy(r)])));
  return recalls.map((recall) => {
    const own = factsWithin(facts, namedBy(recall));
    const notices = noticesOf.get(recall.recallId) ?? [];
    const view = recallView(recall, notices, custodyTiers(own, recall.rootBatchIds));
    if (reader.seesAll) return { recall: view, notices };
    return recallSeenThrough(recallShare(own, reader.partyId), view, notices);
  });
}

export async function listRecalls(
  { store, reads }: RecallReadDeps,
  reader: RecallReader,
  filter: { status?: RecallStatus; batchId?: string },
  now: Date,
): Promise<RecallView[]> {
  const recalls = await findRecalls(store, { ...filter, reader });
  const rows = await findNotices(store, { recallIds: recalls.map((recall) => recall.recallId) });
  const seen = await seeRecalls(reads, reader, recalls, rows, now);
  // A party finds a recall by a batch only where it may see the batch.
  return seen
    .filter(({ recall }) => !filter.batchId || recall.affectedBatchIds.includes(filter.batchId))
    .map(({ recall }) => recall);
}

/** Names nothing: the same answer for a recall out of reach and one that does not exist. */
const outOfReach = () =>
  new SuyuanError(
    'forbidden',
    'recallId: only regulators, the initiator and the notified parties may read a recall',
  );

/** The recall as the reader sees it, once the reader is known to be allowed to. */
export async function readRecall(
  { store, reads }: RecallReadDeps,
  reader: RecallReader,
  recallId: string,
  now: Date,
): Promise<SeenRecall> {
  const [recall, rows] = await Promise.all([
    findRecall(store, recallId),
    findNotices(store, { recallIds: [recallId] }),
  ]);
  const { partyId, seesAll } = reader;
  if (!recall) {
    throw seesAll ? new SuyuanError('not_found', `recallId: no recall ${recallId}`) : outOfReach();
  }
  const involved =
    seesAll || recall.initiatedBy === partyId || rows.some((row) => row.recipient === partyId);
  if (!involved) throw outOfReach();
  const [seen] = await seeRecalls(reads, reader, [recall], rows, now);
  return seen as SeenRecall;
}

/** The summary report (召回总结), with the notices the reader may see. */
export async function readReport(
  deps: RecallReadDeps,
  reader: RecallReader,
  recallId: string,
  now: Date,
): Promise<RecallReport> {
  const { recall, notices } = await readRecall(deps, reader, recallId, now);
  return {
    generatedAt: now.toISOString(),
    recall,
    notices: notices.map(reportRow),
    effectiveness: recallEffectiveness(notices),
  };
}
