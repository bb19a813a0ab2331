/**
 * The risk early warning API's contract (风险预警): the warnings a caller may see, and a
 * regulator's decisions about one, each with its schemas and what the audit trail records.
 */
import { z } from 'zod';
import { failureRatesSchema, WARNING_STATUSES, warningSchema } from '../../common/api/warnings.js';
import { idOf, stringFields } from '../../common/audit/audit-policy.js';
import {
  defineOperation,
  idParameter,
  integerParameter,
  trimmedText,
} from '../../common/http/operations.js';

const LEVELS = ['1', '2', '3'] as const;
const oneId = (name: string) =>
  z
    .string({ error: `must be one ${name}` })
    .min(1, `must be one ${name}`)
    .max(200, `must be one ${name}`);

export const warningsQuerySchema = z.object({
  level: z
    .enum(LEVELS, { error: 'must be 1, 2 or 3' })
    .transform(Number)
    .optional()
    .meta({ description: '1 一级, 2 二级, 3 三级' }),
  status: z
    .enum(WARNING_STATUSES, { error: `must be one of ${WARNING_STATUSES.join(', ')}` })
    .optional(),
  productId: oneId('product id').optional(),
  partyId: oneId('party id').optional().meta({ description: 'Warnings about this party' }),
});

export type WarningsQuery = z.output<typeof warningsQuerySchema>;

export const listWarningsOperation = defineOperation({
  method: 'GET',
  url: '/v1/warnings',
  operationId: 'listWarnings',
  summary: 'Risk early warnings (风险预警), newest first, each with its evidence and state',
  description:
    'Computed from the projection by the rules of SUYUAN_WARNING_RULES. A party that is not a ' +
    'regulator sees the warnings about itself.',
  tag: 'regulator',
  query: warningsQuerySchema,
  answers: { 200: { description: 'Warnings', schema: z.array(warningSchema) } },
  errors: [400],
  audit: (request) => ({
    action: 'warning.read',
    target: '',
    detail: stringFields(request.query, ['level', 'status', 'productId', 'partyId']),
  }),
});

const REASON = 'must be 1 to 500 characters, not only spaces';
const RECALL_ID = 'must be a recall id of 1 to 200 characters';
const reasonText = trimmedText(500, REASON);
const recallIdText = trimmedText(200, RECALL_ID);

/**
 * A state change: a reason is required to dismiss, a recall to escalate to. One alternative per
 * status, so the document states what each requires (`oneOf` on `status`).
 */
export const warningStateBodySchema = z.discriminatedUnion(
  'status',
  [
    z.strictObject({
      status: z.enum(['open', 'acknowledged']),
      reason: reasonText.optional(),
      recallId: recallIdText.optional(),
    }),
    z.strictObject({
      status: z.literal('dismissed'),
      reason: trimmedText(500, REASON, 'is required to dismiss a warning').meta({
        description: 'Why it is dismissed',
      }),
      recallId: recallIdText.optional(),
    }),
    z.strictObject({
      status: z.literal('escalated'),
      reason: reasonText.optional(),
      recallId: trimmedText(200, RECALL_ID, 'is required to escalate a warning to a recall').meta({
        description: 'The recall it was escalated to',
      }),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of ${WARNING_STATUSES.join(', ')}` : undefined,
  },
);

export const changeWarningStateOperation = defineOperation({
  method: 'POST',
  url: '/v1/warnings/:warningId/state',
  operationId: 'changeWarningState',
  summary: 'Acknowledge, dismiss (with a reason), escalate to a recall, or reopen a warning',
  tag: 'regulator',
  roles: ['regulator'],
  params: z.strictObject({ warningId: idParameter }),
  body: warningStateBodySchema,
  answers: { 200: { description: 'The warning, with its new state', schema: warningSchema } },
  errors: [403, 404],
  audit: (request) => ({
    action: 'warning.state',
    target: idOf(request.params.warningId),
    detail: stringFields(
      typeof request.body === 'object' && request.body !== null
        ? (request.body as Record<string, unknown>)
        : {},
      ['status', 'recallId'],
    ),
  }),
});

export const failureRatesQuerySchema = z.object({
  days: integerParameter(1, 366, 'The window: this many days, ending today (UTC)').default(30),
  productId: oneId('product id').optional(),
  partyId: oneId('party id')
    .optional()
    .meta({ description: 'The producer of the inspected batches' }),
});

export type FailureRatesQuery = z.output<typeof failureRatesQuerySchema>;

export const listFailureRatesOperation = defineOperation({
  method: 'GET',
  url: '/v1/failure-rates',
  operationId: 'listFailureRates',
  summary: 'Inspections and failed inspections per day, over a window ending today',
  description:
    "The series behind the warnings' failure-rate signals, counted in ClickHouse by the same " +
    'rules. A party that is not a regulator sees the inspections of the batches it produced.',
  tag: 'regulator',
  query: failureRatesQuerySchema,
  answers: { 200: { description: 'One row per day, oldest first', schema: failureRatesSchema } },
  errors: [400],
  audit: (request) => ({
    action: 'failure-rates.read',
    target: '',
    detail: stringFields(request.query, ['days', 'productId', 'partyId']),
  }),
});
