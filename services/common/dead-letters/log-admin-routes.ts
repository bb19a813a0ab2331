/**
 * The operator's view of the event log (issue 13), for admins:
 *
 * - `GET /v1/admin/log/{topic}/{partition}/{offset}`: the record decoded, whether a consumer set
 *   it aside and why, whether it is quarantined, and which consumer groups have passed it;
 * - `POST /v1/admin/log/{topic}/{partition}/{offset}/quarantine` `{ reason }`: the projector and
 *   the recall service skip the record from now on and move it to the dead-letter topic.
 *
 * The audit trail records every call with the admin who made it (audit-policy.ts).
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { SuyuanError } from '../errors.js';
import { requireRole } from '../http/authenticate.js';
import {
  arrayOf,
  bool,
  fromZod,
  int,
  nullable,
  object,
  ref,
  str,
  time,
} from '../http/openapi-components.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../topics.js';
import {
  inspectLogRecord,
  quarantineLogRecord,
  type LogInspectionDeps,
  type LogPosition,
} from './log-inspection.js';

export const LOG_ADMIN_PREFIX = '/v1/admin/log';
const TOPICS = [EVENTS_TOPIC, EVENTS_DEAD_LETTER_TOPIC];

const quarantineBody = z.strictObject({
  reason: z
    .string({ error: 'is required: why the record is quarantined' })
    .trim()
    .min(1, 'must not be empty')
    .max(2000, 'must be at most 2000 characters'),
});

function invalid(path: string, message: string): SuyuanError {
  return new SuyuanError('invalid_request', `${path}: ${message}`, {
    details: [{ path, message }],
  });
}

const MAX_SAFE_DIGITS = /^\d{1,15}$/;

/** Reads the path; a bad part is an `invalid_request` naming it. */
export function parseLogPosition(params: Readonly<Record<string, unknown>>): LogPosition {
  const { topic, partition, offset } = params;
  if (typeof topic !== 'string' || !TOPICS.includes(topic)) {
    throw invalid('topic', `unknown topic; one of ${TOPICS.join(', ')}`);
  }
  const number = (name: string, value: unknown): number => {
    if (typeof value !== 'string' || !MAX_SAFE_DIGITS.test(value)) {
      throw invalid(name, 'must be a whole number from 0 to 999999999999999');
    }
    return Number(value);
  };
  return { topic, partition: number('partition', partition), offset: number('offset', offset) };
}

const errorAnswer = (description: string) => ({ description, ...ref('Error') });
const positionParams = object({ topic: str, partition: str, offset: str });
const recordView = object(
  {
    topic: str,
    partition: int,
    offset: int,
    key: str,
    timestamp: time,
    headers: { type: 'object', additionalProperties: str },
    event: nullable({ type: 'object', description: 'The decoded event' }),
    decodeError: nullable(str),
    valueBase64: nullable({ ...str, description: 'The raw value, when it does not decode' }),
    quarantine: nullable(object({ reason: str, actor: str, at: time })),
    deadLetters: arrayOf(object({ consumer: str, cause: str, reason: str, at: time })),
    consumers: arrayOf(object({ group: str, passed: bool })),
  },
  [],
);
const answers = {
  400: errorAnswer('Invalid input: the message names the part of the path or body'),
  401: errorAnswer('No API key, or an unknown or revoked one'),
  403: errorAnswer('Only an admin reads or quarantines log records'),
  404: errorAnswer('No record at that offset'),
  503: errorAnswer('The log or the store is unavailable: retry'),
};

const inspectSchema: FastifySchema = {
  tags: ['log'],
  summary:
    'A log record decoded, whether it was set aside or quarantined, and who passed it (admin)',
  params: positionParams,
  response: { 200: { description: 'The record', ...recordView }, ...answers },
};

const quarantineSchema: FastifySchema = {
  tags: ['log'],
  summary:
    'Quarantine a record of the events topic: the projector and the recall service skip it and dead-letter it (admin)',
  params: positionParams,
  body: fromZod(quarantineBody),
  response: { 200: { description: 'The record, now quarantined', ...recordView }, ...answers },
};

type PositionRequest = { Params: Record<string, unknown>; Body: unknown };

export function registerLogAdminRoutes(app: FastifyInstance, deps: LogInspectionDeps): void {
  const path = `${LOG_ADMIN_PREFIX}/:topic/:partition/:offset`;
  app.get<PositionRequest>(path, { schema: inspectSchema }, async (request) => {
    requireRole(request, 'admin');
    return inspectLogRecord(deps, parseLogPosition(request.params));
  });
  app.post<PositionRequest>(`${path}/quarantine`, { schema: quarantineSchema }, async (request) => {
    requireRole(request, 'admin');
    const position = parseLogPosition(request.params);
    const body = quarantineBody.safeParse(request.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0];
      const field = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.join('.');
      throw invalid(
        field || 'reason',
        issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'is invalid'),
      );
    }
    return quarantineLogRecord(deps, position, {
      reason: body.data.reason,
      actor: request.caller.partyId,
    });
  });
}
