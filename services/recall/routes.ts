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
import { SuyuanError } from '../common/errors.js';
import {
  getRecallReportSchema,
  getRecallSchema,
  listOwnNoticesSchema,
  listRecallNoticesSchema,
  listRecallsSchema,
  mockRecallSchema,
} from '../common/http/route-schemas.js';
import type { Store } from '../common/store/store.js';
import { mockRecall, mockRecallBody, parseMockBody } from './mock-recall.js';
import { findNotices, type RecallReader, type RecallStatus } from './recall-queries.js';
import { listRecalls, readRecall, readReport } from './recall-reads.js';
import { reportCsv } from './recall-report.js';
import { noticeView } from './recall-views.js';

export interface RecallRouteDeps {
  readonly store: Store;
  readonly parties: PartyDirectory;
  /** The clock overdue notices are judged by; the system clock by default. */
  readonly now?: () => Date;
}

interface RecallRoute {
  Params: { recallId: string };
  Querystring: Record<string, unknown>;
}

const STATUSES: readonly RecallStatus[] = ['open', 'closed'];
const FORMATS = ['json', 'csv'] as const;

const readerOf = (caller: Party): RecallReader => ({
  partyId: caller.partyId,
  seesAll: readsEverything(caller),
});

export function registerRecallRoutes(app: FastifyInstance, deps: RecallRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  app.get<{ Querystring: Record<string, unknown> }>(
    '/v1/recalls',
    { schema: listRecallsSchema },
    async (request) => {
      const filter = parseListQuery(request.query);
      logRead(request, 'recalls listed', filter);
      // DESIGN §6: these three answer with bare arrays.
      return listRecalls(deps.store, readerOf(request.caller), filter, now());
    },
  );
  app.get<RecallRoute>('/v1/recalls/:recallId', { schema: getRecallSchema }, async (request) => {
    logRead(request, 'recall read', request.params);
    const reader = readerOf(request.caller);
    return (await readRecall(deps.store, reader, request.params.recallId, now())).recall;
  });
  app.get<RecallRoute>(
    '/v1/recalls/:recallId/notices',
    { schema: listRecallNoticesSchema },
    async (request) => {
      logRead(request, 'recall notices read', request.params);
      const reader = readerOf(request.caller);
      return (await readRecall(deps.store, reader, request.params.recallId, now())).notices;
    },
  );
  app.get('/v1/notices', { schema: listOwnNoticesSchema }, async (request) => {
    const rows = await findNotices(deps.store, { recipient: request.caller.partyId });
    const at = now();
    return rows.map((row) => noticeView(row, at));
  });
  app.get<RecallRoute>(
    '/v1/recalls/:recallId/report',
    { schema: getRecallReportSchema },
    async (request, reply) => {
      const format = parseFormat(request.query.format);
      logRead(request, 'recall report read', { ...request.params, format });
      const reader = readerOf(request.caller);
      const report = await readReport(deps.store, reader, request.params.recallId, now());
      if (format === 'json') return report;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${csvFileName(request.params.recallId)}"`,
        )
        .send(reportCsv(report));
    },
  );
  app.post('/v1/recalls/mock', { schema: mockRecallSchema(mockRecallBody) }, async (request) => {
    const rootBatchIds = parseMockBody(request.body);
    logRead(request, 'mock recall', { rootBatchIds });
    return mockRecall(deps, request.caller, rootBatchIds);
  });
}

function logRead(request: FastifyRequest, message: string, fields: object): void {
  // DESIGN §5: every regulator query is logged with who asked.
  request.log.info({ caller: request.caller.partyId, ...fields }, message);
}

function invalid(path: string, message: string): SuyuanError {
  return new SuyuanError('invalid_request', `${path}: ${message}`, {
    details: [{ path, message }],
  });
}

function parseListQuery(query: Readonly<Record<string, unknown>>) {
  const { status, batchId } = query;
  if (status !== undefined && !STATUSES.includes(status as RecallStatus)) {
    throw invalid('status', `must be one of ${STATUSES.join(', ')}`);
  }
  if (batchId !== undefined && (typeof batchId !== 'string' || batchId.length === 0)) {
    throw invalid('batchId', 'must be one non-empty batch id');
  }
  return {
    ...(status === undefined ? {} : { status: status as RecallStatus }),
    ...(batchId === undefined ? {} : { batchId }),
  };
}

function parseFormat(format: unknown): (typeof FORMATS)[number] {
  if (format === undefined) return 'json';
  const known = FORMATS.find((candidate) => candidate === format);
  if (!known) throw invalid('format', `must be one of ${FORMATS.join(', ')}`);
  return known;
}

/** Only characters that are safe inside a quoted header parameter. */
const csvFileName = (recallId: string): string => `recall-${recallId.replace(/[^\w.-]/g, '_')}.csv`;
