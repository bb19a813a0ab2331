/**
 * The recall read side (DESIGN §6): recalls and their progress, notices, the summary report
 * (召回总结) as JSON or CSV, and the mock recall (演练) that computes a recall's reach without
 * issuing anything. Regulators and admins see every recall; any other party sees the recalls it
 * initiated or was notified of, and of those only its own notices unless it initiated the recall
 * (the initiator answers for the recall and keeps its records).
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  readsEverything,
  type Party,
  type PartyDirectory,
} from '../common/access/party-directory.js';
import type {
  MockRecallView,
  NoticeView,
  RecallReport,
  RecallStatus,
  RecallView,
} from '../common/api/recalls.js';
import { SuyuanError } from '../common/errors.js';
import { mountOperation } from '../common/http/operations.js';
import type { Store } from '../common/store/store.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import {
  getRecallOperation,
  getRecallReportOperation,
  listOwnNoticesOperation,
  listRecallNoticesOperation,
  listRecallsOperation,
  mockRecallOperation,
} from './operations.js';
import {
  findNotices,
  findRecall,
  findRecalls,
  type RecallReader,
  type RecallRow,
} from './recall-queries.js';
import { computeRecallScope } from './recall-scope.js';
import { noticeView, recallView, reportCsv, reportRow } from './recall-views.js';

export type { MockRecallView };

export interface RecallRouteDeps {
  readonly store: Store;
  /** The batches and their derivations, for the mock recall's scope. */
  readonly reads: TraceReads;
  readonly parties: PartyDirectory;
  /** The clock overdue notices are judged by; the system clock by default. */
  readonly now?: () => Date;
}

const readerOf = (caller: Party): RecallReader => ({
  partyId: caller.partyId,
  seesAll: readsEverything(caller),
});

export function registerRecallRoutes(app: FastifyInstance, deps: RecallRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  mountOperation(app, listRecallsOperation, async ({ request, query }) => {
    logRead(request, 'recalls listed', query);
    // DESIGN §6: these three answer with bare arrays.
    return listRecalls(deps.store, readerOf(request.caller), query, now());
  });
  mountOperation(app, getRecallOperation, async ({ request, params }) => {
    logRead(request, 'recall read', params);
    const { recall, notices } = await loadRecall(deps.store, request, params.recallId, now());
    return recallView(recall, notices);
  });
  mountOperation(app, listRecallNoticesOperation, async ({ request, params }) => {
    logRead(request, 'recall notices read', params);
    const { recall, notices } = await loadRecall(deps.store, request, params.recallId, now());
    return ownNotices(request.caller, recall, notices);
  });
  mountOperation(app, listOwnNoticesOperation, async ({ request }) => {
    const rows = await findNotices(deps.store, { recipient: request.caller.partyId });
    const at = now();
    return rows.map((row) => noticeView(row, at));
  });
  mountOperation(app, getRecallReportOperation, async ({ request, reply, params, query }) => {
    logRead(request, 'recall report read', { ...params, format: query.format });
    const report = await loadReport(deps.store, request, params.recallId, now());
    if (query.format === 'json') return report;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csvFileName(params.recallId)}"`)
      .send(reportCsv(report));
  });
  mountOperation(app, mockRecallOperation, async ({ request, body }) =>
    mockRecall(deps, request, [...new Set(body.rootBatchIds)]),
  );
}

function logRead(request: FastifyRequest, message: string, fields: object): void {
  // DESIGN §5: every regulator query is logged with who asked.
  request.log.info({ caller: request.caller.partyId, ...fields }, message);
}

/** Only characters that are safe inside a quoted header parameter. */
const csvFileName = (recallId: string): string => `recall-${recallId.replace(/[^\w.-]/g, '_')}.csv`;

async function listRecalls(
  store: Store,
  reader: RecallReader,
  filter: { status?: RecallStatus; batchId?: string },
  now: Date,
): Promise<RecallView[]> {
  const recalls = await findRecalls(store, { ...filter, reader });
  const rows = await findNotices(store, { recallIds: recalls.map((recall) => recall.recallId) });
  const byRecall = new Map<string, NoticeView[]>();
  for (const row of rows) {
    const notices = byRecall.get(row.recallId) ?? [];
    notices.push(noticeView(row, now));
    byRecall.set(row.recallId, notices);
  }
  return recalls.map((recall) => recallView(recall, byRecall.get(recall.recallId) ?? []));
}

/** The recall and all its notices, once the caller is known to be allowed to see it. */
async function loadRecall(
  store: Store,
  request: FastifyRequest,
  recallId: string,
  now: Date,
): Promise<{ recall: RecallRow; notices: NoticeView[] }> {
  const [recall, rows] = await Promise.all([
    findRecall(store, recallId),
    findNotices(store, { recallIds: [recallId] }),
  ]);
  if (!recall) throw new SuyuanError('not_found', `recallId: no recall ${recallId}`);
  const { partyId, seesAll } = readerOf(request.caller);
  const involved =
    seesAll || recall.initiatedBy === partyId || rows.some((row) => row.recipient === partyId);
  if (!involved) {
    throw new SuyuanError(
      'forbidden',
      'recallId: only regulators, the initiator and the notified parties may read a recall',
    );
  }
  return { recall, notices: rows.map((row) => noticeView(row, now)) };
}

/** The summary report (召回总结); a recipient finds only its own notice among the rows. */
async function loadReport(
  store: Store,
  request: FastifyRequest,
  recallId: string,
  now: Date,
): Promise<RecallReport> {
  const { recall, notices } = await loadRecall(store, request, recallId, now);
  return {
    generatedAt: now.toISOString(),
    recall: recallView(recall, notices),
    notices: ownNotices(request.caller, recall, notices).map(reportRow),
  };
}

/** Every notice for regulators, admins and the initiator; a recipient its own. */
function ownNotices(caller: Party, recall: RecallRow, notices: NoticeView[]): NoticeView[] {
  const { partyId, seesAll } = readerOf(caller);
  if (seesAll || recall.initiatedBy === partyId) return notices;
  return notices.filter((notice) => notice.recipient === partyId);
}

/** Regulators may drill any batches; a producer only batches it produced, all of them. */
async function checkMockAllowed(reads: TraceReads, caller: Party, rootBatchIds: string[]) {
  if (caller.roles.includes('regulator')) return;
  const batches = await reads.batches(rootBatchIds);
  const producers = new Map(batches.map((batch) => [batch.batchId, batch.producer]));
  const notOwn = rootBatchIds.filter((id) => producers.get(id) !== caller.partyId);
  if (notOwn.length > 0) {
    throw new SuyuanError(
      'forbidden',
      'rootBatchIds: a mock recall needs the regulator role or the producer of every root batch',
    );
  }
}

/** What a recall of the root batches would reach now: the notices it would issue, unissued. */
async function mockRecall(
  deps: RecallRouteDeps,
  request: FastifyRequest,
  rootBatchIds: string[],
): Promise<MockRecallView> {
  logRead(request, 'mock recall', { rootBatchIds });
  await checkMockAllowed(deps.reads, request.caller, rootBatchIds);
  const started = performance.now();
  const scope = await computeRecallScope(deps.reads, rootBatchIds);
  const parties = await deps.parties.find(scope.notices.map((notice) => notice.recipient));
  return {
    rootBatchIds,
    affectedBatchIds: [...scope.affected].sort(),
    parties: scope.notices.map((notice) => ({
      partyId: notice.recipient,
      name: parties.get(notice.recipient)?.name ?? null,
      batches: notice.batches,
    })),
    truncated: scope.truncated,
    elapsedMs: Math.round(performance.now() - started),
  };
}
