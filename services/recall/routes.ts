/**
 * The recall read side (DESIGN §6): recalls and their progress, notices, the summary report
 * (召回总结) as JSON or CSV, and the mock recall (演练) that computes a recall's reach without
 * issuing anything. Regulators and admins see every recall; any other party sees the recalls it
 * initiated or was notified of, and of those only its own notices unless it initiated the recall
 * (the initiator answers for the recall and keeps its records).
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
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
import {
  findNotices,
  findProducers,
  findRecall,
  findRecalls,
  type RecallReader,
  type RecallRow,
  type RecallStatus,
} from './recall-queries.js';
import { computeRecallScope } from './recall-scope.js';
import type { NoticeLine } from './plan-notices.js';
import {
  noticeView,
  recallView,
  reportCsv,
  reportRow,
  type NoticeView,
  type RecallReport,
  type RecallView,
} from './recall-views.js';

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

const mockRecallBody = z.strictObject({
  rootBatchIds: z.array(z.string().trim().min(1).max(200)).min(1).max(100),
});

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
    const { recall, notices } = await loadRecall(deps.store, request, now());
    return recallView(recall, notices);
  });
  app.get<RecallRoute>(
    '/v1/recalls/:recallId/notices',
    { schema: listRecallNoticesSchema },
    async (request) => {
      logRead(request, 'recall notices read', request.params);
      const { recall, notices } = await loadRecall(deps.store, request, now());
      return ownNotices(request.caller, recall, notices);
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
      const report = await loadReport(deps.store, request, now());
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
  app.post('/v1/recalls/mock', { schema: mockRecallSchema(mockRecallBody) }, async (request) =>
    mockRecall(deps, request),
  );
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
  request: FastifyRequest<RecallRoute>,
  now: Date,
): Promise<{ recall: RecallRow; notices: NoticeView[] }> {
  const { recallId } = request.params;
  const [recall, rows] = await Promise.all([
    findRecall(store, recallId),
    findNotices(store, { recallIds: [recallId] }),
  ]);
  const { partyId, seesAll } = readerOf(request.caller);
  if (!recall)
    throw seesAll ? new SuyuanError('not_found', `recallId: no recall ${recallId}`) : outOfReach();
  const involved =
    seesAll || recall.initiatedBy === partyId || rows.some((row) => row.recipient === partyId);
  if (!involved) throw outOfReach();
  return { recall, notices: rows.map((row) => noticeView(row, now)) };
}

/**
 * Names nothing: to anyone but a regulator an unknown recall looks like any recall out of its
 * reach, so whether a recall exists is told only to those it involves (as batches do).
 */
const outOfReach = () =>
  new SuyuanError(
    'forbidden',
    'recallId: only regulators, the initiator and the notified parties may read a recall',
  );

/** The summary report (召回总结); a recipient finds only its own notice among the rows. */
async function loadReport(
  store: Store,
  request: FastifyRequest<RecallRoute>,
  now: Date,
): Promise<RecallReport> {
  const { recall, notices } = await loadRecall(store, request, now);
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

function parseMockBody(body: unknown): string[] {
  const parsed = mockRecallBody.safeParse(body ?? {});
  if (parsed.success) return [...new Set(parsed.data.rootBatchIds)];
  const details = parsed.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : 'body',
    message: issue.message,
  }));
  const first = details[0] ?? { path: 'body', message: 'invalid' };
  throw new SuyuanError('invalid_request', `${first.path}: ${first.message}`, { details });
}

/** Regulators may drill any batches; a producer only batches it produced, all of them. */
async function checkMockAllowed(store: Store, caller: Party, rootBatchIds: string[]) {
  if (caller.roles.includes('regulator')) return;
  const producers = await findProducers(store, rootBatchIds);
  const notOwn = rootBatchIds.filter((id) => producers.get(id) !== caller.partyId);
  if (notOwn.length > 0) {
    throw new SuyuanError(
      'forbidden',
      'rootBatchIds: a mock recall needs the regulator role or the producer of every root batch',
    );
  }
}

/** What a recall of the root batches would reach now: the notices it would issue, unissued. */
export interface MockRecallView {
  readonly rootBatchIds: string[];
  readonly affectedBatchIds: string[];
  readonly parties: { partyId: string; name: string | null; batches: NoticeLine[] }[];
  readonly truncated: boolean;
  readonly elapsedMs: number;
}

async function mockRecall(deps: RecallRouteDeps, request: FastifyRequest): Promise<MockRecallView> {
  const rootBatchIds = parseMockBody(request.body);
  logRead(request, 'mock recall', { rootBatchIds });
  await checkMockAllowed(deps.store, request.caller, rootBatchIds);
  const started = performance.now();
  const scope = await computeRecallScope(deps.store, rootBatchIds);
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
