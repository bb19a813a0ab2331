/**
 * The recall read side (DESIGN §6): recalls and their progress, notices, the summary report
 * (召回总结) as JSON or CSV, and the mock recall (演练) that computes a recall's reach without
 * issuing anything. Who sees what is settled in recall-reads.ts and mock-recall.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  readsEverything,
  type Party,
  type PartyDirectory,
} from '../common/access/party-directory.js';
import type { MockRecallView } from '../common/api/recalls.js';
import { SuyuanError } from '../common/errors.js';
import { mountOperation } from '../common/http/operations.js';
import type { EventLog } from '../common/log/event-log.js';
import { evidenceFor } from '../common/proofs/evidence.js';
import type { Store } from '../common/store/store.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { mockRecall } from './mock-recall.js';
import {
  getRecallOperation,
  getRecallReportOperation,
  listOwnNoticesOperation,
  listRecallNoticesOperation,
  listRecallsOperation,
  mockRecallOperation,
} from './operations.js';
import { findNotices, type RecallReader } from './recall-queries.js';
import { listRecalls, readRecall, readReport } from './recall-reads.js';
import { recallEventIds } from './recall-evidence.js';
import { reportCsv, type ReportTable } from './recall-report.js';
import { noticeView } from './recall-views.js';

export type { MockRecallView };

export interface RecallRouteDeps {
  readonly store: Store;
  /** The batches and their custody: the mock recall's scope, and the tiers and shares of recalls. */
  readonly reads: TraceReads;
  readonly parties: PartyDirectory;
  /** The clock overdue notices are judged by; the system clock by default. */
  readonly now?: () => Date;
  /** The event log, whose records a report's evidence carries; without it there is none. */
  readonly log?: EventLog;
}

/**
 * Evidence carries whole events, past the one-up/one-down share a party's report is cut to:
 * a regulator's (or admin's) only, in JSON.
 */
function checkEvidenceAsked(caller: Party, format: string, log: EventLog | undefined): void {
  if (!readsEverything(caller)) {
    throw new SuyuanError('forbidden', 'evidence: only a regulator may ask for the evidence');
  }
  if (format !== 'json' || !log) {
    throw new SuyuanError('invalid_request', 'evidence: comes only with format=json', {
      details: [{ path: 'evidence', message: 'comes only with format=json' }],
    });
  }
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
    return listRecalls(deps, readerOf(request.caller), query, now());
  });
  mountOperation(app, getRecallOperation, async ({ request, params }) => {
    logRead(request, 'recall read', params);
    return (await readRecall(deps, readerOf(request.caller), params.recallId, now())).recall;
  });
  mountOperation(app, listRecallNoticesOperation, async ({ request, params }) => {
    logRead(request, 'recall notices read', params);
    return (await readRecall(deps, readerOf(request.caller), params.recallId, now())).notices;
  });
  mountOperation(app, listOwnNoticesOperation, async ({ request }) => {
    const rows = await findNotices(deps.store, { recipient: request.caller.partyId });
    const at = now();
    return rows.map((row) => noticeView(row, at));
  });
  mountOperation(app, getRecallReportOperation, async ({ request, reply, params, query }) => {
    logRead(request, 'recall report read', { ...params, format: query.format });
    if (query.evidence) checkEvidenceAsked(request.caller, query.format, deps.log);
    if (query.table && query.format !== 'csv') {
      throw new SuyuanError('invalid_request', 'table: comes only with format=csv', {
        details: [{ path: 'table', message: 'comes only with format=csv' }],
      });
    }
    const report = await readReport(deps, readerOf(request.caller), params.recallId, now());
    if (query.format === 'json' && query.evidence && deps.log) {
      const ids = await recallEventIds(deps.store, params.recallId);
      return { ...report, evidence: await evidenceFor({ store: deps.store, log: deps.log }, ids) };
    }
    if (query.format === 'json') return report;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="${csvFileName(params.recallId, query.table ?? 'notices')}"`,
      )
      .send(reportCsv(report, query.table ?? 'notices'));
  });
  mountOperation(app, mockRecallOperation, async ({ request, body }) => {
    const rootBatchIds = [...new Set(body.rootBatchIds)];
    logRead(request, 'mock recall', { rootBatchIds });
    return mockRecall(deps, request.caller, rootBatchIds);
  });
}

function logRead(request: FastifyRequest, message: string, fields: object): void {
  // DESIGN §5: every regulator query is logged with who asked.
  request.log.info({ caller: request.caller.partyId, ...fields }, message);
}

/**
 * `recall-R-1.csv` for the notices, `recall-R-1-effectiveness.csv` for the series; only
 * characters that are safe inside a quoted header parameter.
 */
function csvFileName(recallId: string, table: ReportTable): string {
  const suffix = table === 'notices' ? '' : `-${table}`;
  return `recall-${recallId.replace(/[^\w.-]/g, '_')}${suffix}.csv`;
}
