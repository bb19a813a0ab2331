/**
 * The recall API's contract (DESIGN §6): each route with its request and answer schemas and what
 * the audit trail records of it. routes.ts mounts them with their handlers.
 */
import { z } from 'zod';
import { evidenceFlag } from '../common/api/proofs.js';
import {
  mockRecallSchema,
  noticeSchema,
  recallReportSchema,
  recallSchema,
  RECALL_STATUSES,
} from '../common/api/recalls.js';
import {
  distinct,
  field,
  idOf,
  ids,
  stringFields,
  type AuditAction,
  type AuditDetail,
  type AuditedRequest,
} from '../common/audit/audit-policy.js';
import { defineOperation, idParameter, trimmedText } from '../common/http/operations.js';
import { REPORT_TABLES } from './recall-report.js';

const recallParams = z.strictObject({ recallId: idParameter });

function recallRead(view: string, extra: (request: AuditedRequest) => AuditDetail = () => ({})) {
  return (request: AuditedRequest): AuditAction => ({
    action: view === 'report' ? 'recall.report' : 'recall.read',
    target: idOf(request.params.recallId),
    detail: { view, ...extra(request) },
  });
}

export const listRecallsOperation = defineOperation({
  method: 'GET',
  url: '/v1/recalls',
  operationId: 'listRecalls',
  summary: 'The recalls the caller may see, newest first',
  tag: 'recalls',
  query: z.object({
    batchId: z
      .string({ error: 'must be one non-empty batch id' })
      .min(1, 'must be one non-empty batch id')
      .optional()
      .meta({ description: 'Recalls that name the batch, as a root or in a notice' }),
    status: z
      .enum(RECALL_STATUSES, { error: `must be one of ${RECALL_STATUSES.join(', ')}` })
      .optional(),
  }),
  answers: { 200: { description: 'Recalls', schema: z.array(recallSchema) } },
  errors: [400],
  audit: (request) => ({
    action: 'recall.read',
    target: '',
    detail: { view: 'list', ...stringFields(request.query, ['status', 'batchId']) },
  }),
});

export const getRecallOperation = defineOperation({
  method: 'GET',
  url: '/v1/recalls/:recallId',
  operationId: 'getRecall',
  summary: 'A recall and its progress',
  tag: 'recalls',
  params: recallParams,
  answers: { 200: { description: 'The recall', schema: recallSchema } },
  errors: [403, 404],
  audit: recallRead('recall'),
});

export const listRecallNoticesOperation = defineOperation({
  method: 'GET',
  url: '/v1/recalls/:recallId/notices',
  operationId: 'listRecallNotices',
  summary: "A recall's notices (a party not a regulator: its own and one step around it)",
  tag: 'recalls',
  params: recallParams,
  answers: { 200: { description: 'Notices', schema: z.array(noticeSchema) } },
  errors: [403, 404],
  audit: recallRead('notices'),
});

export const listOwnNoticesOperation = defineOperation({
  method: 'GET',
  url: '/v1/notices',
  operationId: 'listOwnNotices',
  summary: "The calling party's own recall notices",
  tag: 'recalls',
  answers: { 200: { description: 'Notices', schema: z.array(noticeSchema) } },
  audit: () => ({ action: 'recall.read', target: '', detail: { view: 'own-notices' } }),
});

const REPORT_FORMATS = ['json', 'csv'] as const;

export const getRecallReportOperation = defineOperation({
  method: 'GET',
  url: '/v1/recalls/:recallId/report',
  operationId: 'getRecallReport',
  summary: 'The summary report of a recall (召回总结), as JSON or CSV',
  description:
    '`evidence=true` comes only with `format=json` (the CSV has no place for it): with ' +
    '`format=csv` it answers 400 naming `evidence`. A CSV holds one table, which `table` names: ' +
    'the notices (one line per notice and batch) or the effectiveness series (one line per ' +
    "point and unit, with the recall's deadlines); `table` comes only with `format=csv`.",
  tag: 'recalls',
  params: recallParams,
  query: z.object({
    format: z
      .enum(REPORT_FORMATS, { error: `must be one of ${REPORT_FORMATS.join(', ')}` })
      .default('json'),
    evidence: evidenceFlag,
    table: z
      .enum(REPORT_TABLES, { error: `must be one of ${REPORT_TABLES.join(', ')}` })
      .optional()
      .meta({ description: 'The table of a CSV (default notices)' }),
  }),
  answers: {
    200: {
      description: 'The report',
      content: { 'application/json': recallReportSchema, 'text/csv': z.string() },
    },
  },
  errors: [400, 403, 404],
  audit: recallRead('report', (request) =>
    stringFields(request.query, ['format', 'evidence', 'table']),
  ),
});

export const mockRecallOperation = defineOperation({
  method: 'POST',
  url: '/v1/recalls/mock',
  operationId: 'mockRecall',
  summary: 'Mock recall (演练): what a recall of these batches would reach, issuing nothing',
  tag: 'recalls',
  body: z.strictObject({
    rootBatchIds: z
      .array(trimmedText(200, 'must be a batch id of 1 to 200 characters, not only spaces'))
      .min(1, 'must name at least one batch')
      .max(100, 'must name at most 100 batches'),
  }),
  answers: { 200: { description: 'The reach', schema: mockRecallSchema } },
  errors: [400, 403, 413],
  audit: (request) => {
    const rootBatchIds = distinct(ids(field(request.body, 'rootBatchIds')));
    return { action: 'recall.mock', target: rootBatchIds.join(','), detail: { rootBatchIds } };
  },
});
