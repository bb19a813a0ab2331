/**
 * The operator's view of the event log (issue 13), for admins:
 *
 * - `GET /v1/admin/log/{topic}/{partition}/{offset}`: the record decoded, whether a consumer set
 *   it aside and why, whether it is quarantined, and which consumer groups have passed it;
 * - `POST /v1/admin/log/{topic}/{partition}/{offset}/quarantine` `{ reason }`: the projector and
 *   the recall service skip the record from now on and move it to the dead-letter topic.
 *
 * The audit trail records every call with the admin who made it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { logRecordViewSchema } from '../api/log.js';
import { idOf, type AuditedRequest } from '../audit/audit-policy.js';
import { defineOperation, mountOperation, trimmedText } from '../http/operations.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../topics.js';
import { inspectLogRecord, quarantineLogRecord, type LogInspectionDeps } from './log-inspection.js';

export const LOG_ADMIN_PREFIX = '/v1/admin/log';
const POSITION_ROUTE = `${LOG_ADMIN_PREFIX}/:topic/:partition/:offset`;
const TOPICS = [EVENTS_TOPIC, EVENTS_DEAD_LETTER_TOPIC] as const;

const MAX_POSITION = 999_999_999_999_999;
const wholeNumber = z
  .string()
  .regex(/^\d{1,15}$/, `must be a whole number from 0 to ${MAX_POSITION}`)
  .transform(Number)
  .meta({ type: 'integer', minimum: 0, maximum: MAX_POSITION });

const positionParams = z.strictObject({
  topic: z.enum(TOPICS, { error: `unknown topic; one of ${TOPICS.join(', ')}` }),
  partition: wholeNumber,
  offset: wholeNumber,
});

/** Only the events topic is consumed, so only its records can be quarantined: the document says so. */
const quarantineParams = positionParams.extend({
  topic: z.enum([EVENTS_TOPIC], {
    error: `only ${EVENTS_TOPIC} is consumed, so only its records can be quarantined`,
  }),
});

const quarantineBody = z.strictObject({
  reason: trimmedText(2000, 'is required: why the record is quarantined, at most 2000 characters'),
});

/** A log record as `topic/partition/offset`. */
const logPosition = ({ params }: AuditedRequest): string =>
  [params.topic, params.partition, params.offset].map(idOf).join('/');

export const inspectLogRecordOperation = defineOperation({
  method: 'GET',
  url: POSITION_ROUTE,
  operationId: 'inspectLogRecord',
  summary:
    'A log record decoded, whether it was set aside or quarantined, and who passed it (admin)',
  tag: 'log',
  roles: ['admin'],
  adminSurface: true,
  params: positionParams,
  answers: { 200: { description: 'The record', schema: logRecordViewSchema } },
  errors: [400, 403, 404],
  audit: (request) => ({ action: 'admin.log.inspect', target: logPosition(request), detail: {} }),
});

export const quarantineLogRecordOperation = defineOperation({
  method: 'POST',
  url: `${POSITION_ROUTE}/quarantine`,
  operationId: 'quarantineLogRecord',
  summary:
    'Quarantine a record of the events topic: the projector and the recall service skip it and dead-letter it (admin)',
  tag: 'log',
  roles: ['admin'],
  adminSurface: true,
  params: quarantineParams,
  body: quarantineBody,
  answers: { 200: { description: 'The record, now quarantined', schema: logRecordViewSchema } },
  errors: [400, 403, 404],
  audit: (request) => ({
    action: 'admin.log.quarantine',
    target: logPosition(request),
    detail: {},
  }),
});

export function registerLogAdminRoutes(app: FastifyInstance, deps: LogInspectionDeps): void {
  mountOperation(app, inspectLogRecordOperation, ({ params }) => inspectLogRecord(deps, params));
  mountOperation(app, quarantineLogRecordOperation, ({ params, body, request }) =>
    quarantineLogRecord(deps, params, { reason: body.reason, actor: request.caller.partyId }),
  );
}
