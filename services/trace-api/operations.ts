/**
 * The trace API's contract: a batch with its timeline, its trace chain (DESIGN §6) and the batch
 * search, each with its schemas and what the audit trail records of it. routes.ts and
 * search-routes.ts mount them with their handlers.
 */
import { z } from 'zod';
import { evidenceFlag } from '../common/api/proofs.js';
import { FSMA_FORMATS } from '../common/api/fsma204.js';
import { GAP_KINDS, gapListSchema } from '../common/api/gaps.js';
import {
  batchDetailSchema,
  batchSearchHitSchema,
  traceSchema,
  TRACE_DIRECTIONS,
} from '../common/api/trace.js';
import { hasRole, idOf, stringFields, type AuditRule } from '../common/audit/audit-policy.js';
import { storableBound } from '../common/store/storable.js';
import {
  defineOperation,
  idParameter,
  integerParameter,
  trimmedText,
} from '../common/http/operations.js';
import type { TraceLimits } from './assemble-trace.js';

const batchParams = z.strictObject({ batchId: idParameter });

/**
 * Trace and batch reads are recorded for regulators (and admins, whose every request is); another
 * party's read only when it was refused, as an attempt on batches out of its reach.
 */
const traceRead =
  (action: 'trace.read' | 'batch.read'): AuditRule =>
  (request) => {
    const recorded =
      hasRole(request, 'regulator') || hasRole(request, 'admin') || request.status === 403;
    if (!recorded) return undefined;
    const detail = action === 'trace.read' ? stringFields(request.query, ['direction']) : {};
    return { action, target: idOf(request.params.batchId), detail };
  };

export const getBatchOperation = defineOperation({
  method: 'GET',
  url: '/v1/batches/:batchId',
  operationId: 'getBatch',
  summary: 'A batch and its timeline of events (retracted ones marked)',
  tag: 'batches',
  params: batchParams,
  answers: { 200: { description: 'The batch', schema: batchDetailSchema } },
  errors: [403, 404],
  audit: traceRead('batch.read'),
});

/** The query of a trace, with the ceilings this platform is configured with. */
export const traceQuerySchema = (limits: TraceLimits) =>
  z.object({
    direction: z
      .enum(TRACE_DIRECTIONS, { error: `must be one of ${TRACE_DIRECTIONS.join(', ')}` })
      .default('both'),
    maxDepth: integerParameter(
      1,
      limits.maxDepth,
      `Default and ceiling: ${limits.maxDepth} (TRACE_MAX_DEPTH)`,
    ).default(limits.maxDepth),
    maxNodes: integerParameter(
      1,
      limits.maxNodes,
      `Default and ceiling: ${limits.maxNodes} (TRACE_MAX_NODES)`,
    ).default(limits.maxNodes),
    evidence: evidenceFlag,
  });

export const getTraceOperation = (limits: TraceLimits) =>
  defineOperation({
    method: 'GET',
    url: '/v1/batches/:batchId/trace',
    operationId: 'getTrace',
    summary: 'The trace chain of a batch: upstream to its origins, downstream to every holder',
    description:
      "A regulator's trace of 1 KiB or more comes compressed (`content-encoding: br` or `gzip`) when the request's `accept-encoding` allows it.",
    tag: 'batches',
    params: batchParams,
    query: traceQuerySchema(limits),
    answers: { 200: { description: 'The trace', schema: traceSchema } },
    errors: [400, 403, 404],
    audit: traceRead('trace.read'),
  });

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
const MAX_QUERY_LENGTH = 200;

const queryMessage = `must be 1 to ${MAX_QUERY_LENGTH} characters`;

/**
 * `q` is optional: without it the search lists the newest batches the caller may see, bounded by
 * `limit` (the console's first page). A `q` of blanks only is refused: it would match everything.
 */
export const searchQuerySchema = z
  .object({
    q: trimmedText(MAX_QUERY_LENGTH, queryMessage).optional().meta({
      description:
        'A batch id prefix, or part of a product id or name (case-insensitive); without it, the newest batches',
    }),
    limit: integerParameter(1, MAX_LIMIT).default(DEFAULT_LIMIT),
  })
  .transform(({ q, limit }) => (q === undefined ? { limit } : { text: q, limit }));

export type BatchSearch = z.output<typeof searchQuerySchema>;

export const searchBatchesOperation = defineOperation({
  method: 'GET',
  url: '/v1/batches',
  operationId: 'searchBatches',
  summary:
    'Batch search: ids starting with q, products whose id or name contains it; without q, the newest',
  description: 'A party that is not a regulator finds only the batches it produced.',
  tag: 'batches',
  query: searchQuerySchema,
  answers: {
    200: {
      description: 'Matching batches, by id; without q, the newest produced first',
      schema: z.array(batchSearchHitSchema),
    },
  },
  errors: [400],
});

/**
 * Analytics reads (gaps, exports) are recorded for every caller: a regulator's query must be
 * (DESIGN §5), and a party's tells who looked at what of its own records.
 */
const analyticsRead =
  (action: 'gaps.read' | 'fsma204.export', keys: readonly string[]): AuditRule =>
  (request) => ({
    action,
    target: idOf(request.query.batchId),
    detail: stringFields(request.query, keys),
  });

const MAX_GAPS = 1000;

export const gapsQuerySchema = z.object({
  kind: z
    .enum(GAP_KINDS, { error: `must be one of ${GAP_KINDS.join(', ')}` })
    .optional()
    .meta({ description: 'One kind of gap; every kind without it' }),
  limit: integerParameter(1, MAX_GAPS).default(100),
});

export const listGapsOperation = defineOperation({
  method: 'GET',
  url: '/v1/gaps',
  operationId: 'listGaps',
  summary: 'Broken links (断链) and quantities that do not balance, newest first',
  description:
    'Shipments never received after SUYUAN_GAP_UNRECEIVED_AFTER, receipts with no matching ' +
    'shipment, inputs never produced, a party shipping or using more of a batch than it produced ' +
    'or received (per unit), transformations whose output exceeds SUYUAN_GAP_MAX_YIELD times ' +
    'their inputs. A party that is not a regulator sees the gaps it is involved in.',
  tag: 'regulator',
  query: gapsQuerySchema,
  answers: { 200: { description: 'The gaps', schema: gapListSchema } },
  errors: [400],
  audit: analyticsRead('gaps.read', ['kind', 'limit']),
});

/**
 * A date (its midnight UTC) or an RFC 3339 time, each field in its range, so that every value the
 * pattern takes is a time (the document states the pattern; 31 February is 3 March, as Date has
 * it).
 */
const DAY_OR_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))?$/;
const dayOrTimeMessage = 'must be a date (2026-11-01, midnight UTC) or an RFC 3339 time';
const millisOf = (value: string) => Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);

/** A bound of the export's dates, in milliseconds since the epoch. */
const dayOrTime = z
  .string({ error: dayOrTimeMessage })
  .regex(DAY_OR_TIME, dayOrTimeMessage)
  .transform(millisOf)
  .refine((millis) => !Number.isNaN(millis), dayOrTimeMessage)
  .meta({ description: 'A date (midnight UTC) or an RFC 3339 time' });

/**
 * A bound as an ISO string the store reads exactly: one beyond the times the store holds selects
 * what the store's edge does (the store could misread year 0000 or 9999 itself).
 */
const storedBound = (millis: number | undefined) =>
  millis === undefined ? undefined : new Date(storableBound(millis)).toISOString();

const exportId = (name: string) =>
  trimmedText(200, `must be one ${name} of 1 to 200 characters, not only spaces`);

export const fsmaQuerySchema = z
  .object({
    productId: exportId('product id')
      .optional()
      .meta({ description: "The food: its batches' product id (GTIN/SKU)" }),
    batchId: exportId('batch id')
      .optional()
      .meta({ description: 'One traceability lot code (a batch id)' }),
    from: dayOrTime
      .optional()
      .meta({ description: 'Events at or after (a date: its midnight UTC)' }),
    to: dayOrTime
      .optional()
      .meta({ description: 'Events before (to=2026-12-01 ends with November)' }),
    format: z
      .enum(FSMA_FORMATS, { error: `must be one of ${FSMA_FORMATS.join(', ')}` })
      .default('csv'),
  })
  .refine((query) => query.productId !== undefined || query.batchId !== undefined, {
    message: 'productId or batchId is required',
    path: ['productId'],
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, {
    message: 'must be later than from',
    path: ['to'],
  })
  .transform((query) => ({ ...query, from: storedBound(query.from), to: storedBound(query.to) }));

export type FsmaQuery = z.output<typeof fsmaQuerySchema>;

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const exportFsma204Operation = defineOperation({
  method: 'GET',
  url: '/v1/exports/fsma204',
  operationId: 'exportFsmaSpreadsheet',
  summary: 'The FSMA 204 electronic sortable spreadsheet of a food or lot, as CSV or XLSX',
  description:
    'One row per critical tracking event (initial packing, transformation, shipping, receiving) ' +
    'of the lots of a product, or of one lot, within the dates, with the key data elements of ' +
    '21 CFR 1.1325–1.1350 the events hold. A party that is not a regulator gets the events it ' +
    'recorded itself. Needs `productId` or `batchId`; `to`, when both bounds are given, later ' +
    'than `from` (a 400 names the field otherwise).',
  tag: 'regulator',
  query: fsmaQuerySchema,
  answers: {
    200: {
      description: 'The spreadsheet',
      content: {
        'text/csv': z.string(),
        [XLSX_MEDIA_TYPE]: z.string().meta({ format: 'binary' }),
      },
    },
  },
  errors: [400],
  audit: analyticsRead('fsma204.export', ['productId', 'batchId', 'from', 'to', 'format']),
});
