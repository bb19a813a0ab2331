/**
 * The audit trail for admins: `GET /v1/audit`, newest first, filtered by actor, action, target and
 * time. Read only: no route changes or deletes an audit row (DESIGN §5).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditEntrySchema, type AuditEntry } from '../api/audit.js';
import { defineOperation, integerParameter, mountOperation } from '../http/operations.js';
import type { Store } from '../store/store.js';
import { stringFields } from './audit-policy.js';
import { AUDIT_TABLE, type AuditLogRow } from './audit-trail.js';

export interface AuditRouteDeps {
  readonly store: Store;
  /** Writes the trail's pending rows, so an admin sees its own recent actions. */
  readonly flush?: () => Promise<void>;
}

export interface AuditFilter {
  readonly actor?: string;
  /** An action, or a family of them: `recall.*`. */
  readonly action?: string;
  /** A target id; also matches one of the ids of a multi-id target. */
  readonly target?: string;
  /** Inclusive. */
  readonly since?: string;
  /** Exclusive. */
  readonly until?: string;
  readonly limit: number;
}

export type { AuditEntry };

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

const oneValue = z
  .string({ error: 'must be one non-empty value of at most 256 characters' })
  .min(1, 'must be one non-empty value of at most 256 characters')
  .max(256, 'must be one non-empty value of at most 256 characters');

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const instant = z
  .string({ error: 'must be an RFC 3339 time' })
  .refine((value) => RFC_3339.test(value) && !Number.isNaN(Date.parse(value)), {
    message: 'must be an RFC 3339 time',
  })
  .transform((value) => new Date(Date.parse(value)).toISOString())
  .meta({ format: 'date-time' });

/** The query of GET /v1/audit; a bad value is an `invalid_request` naming the parameter. */
export const auditQuerySchema = z
  .strictObject({
    actor: oneValue.optional().meta({ description: 'A party id, or "anonymous"' }),
    action: oneValue
      .optional()
      .meta({ description: 'An action (trace.read), or a family of them (recall.*)' }),
    target: oneValue.optional().meta({ description: 'A batch, recall, notice or party id' }),
    since: instant.optional().meta({ description: 'Inclusive' }),
    until: instant.optional().meta({ description: 'Exclusive' }),
    limit: integerParameter(1, MAX_AUDIT_LIMIT).default(DEFAULT_AUDIT_LIMIT),
  })
  .refine((filter) => !(filter.since && filter.until && filter.since >= filter.until), {
    message: 'must be later than since',
    path: ['until'],
  });

export const getAuditOperation = defineOperation({
  method: 'GET',
  url: '/v1/audit',
  operationId: 'listAuditEntries',
  summary: 'The audit trail, newest first (admin); it is append-only, nothing changes it',
  tag: 'audit',
  query: auditQuerySchema,
  answers: {
    200: {
      description: 'Audit entries: who, when, what and from where',
      schema: z.array(auditEntrySchema),
    },
  },
  errors: [400, 403],
  roles: ['admin'],
  adminSurface: true,
  audit: (request) => ({
    action: 'admin.audit.read',
    target: '',
    detail: stringFields(request.query, ['actor', 'action', 'target', 'since', 'until', 'limit']),
  }),
});

export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  mountOperation(app, getAuditOperation, async ({ query }) => {
    await deps.flush?.();
    return findAuditEntries(deps.store, query);
  });
}

function conditions(filter: AuditFilter): string[] {
  const where: string[] = [];
  if (filter.actor !== undefined) where.push('actor = {actor:String}');
  if (filter.action?.endsWith('.*')) where.push('startsWith(action, {actionFamily:String})');
  else if (filter.action !== undefined) where.push('action = {action:String}');
  if (filter.target !== undefined) {
    where.push(`(target = {target:String} OR has(splitByChar(',', target), {target:String}))`);
  }
  if (filter.since !== undefined) {
    where.push(`at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')`);
  }
  if (filter.until !== undefined) {
    where.push(`at < parseDateTime64BestEffort({until:String}, 3, 'UTC')`);
  }
  return where;
}

function queryParams(filter: AuditFilter): Record<string, string | number> {
  const params = Object.fromEntries(
    Object.entries(filter).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    ),
  );
  // `recall.*` matches the actions that start with `recall.`.
  if (filter.action?.endsWith('.*')) params.actionFamily = filter.action.slice(0, -1);
  return params;
}

export async function findAuditEntries(store: Store, filter: AuditFilter): Promise<AuditEntry[]> {
  const where = conditions(filter);
  const rows = await store.query<AuditLogRow>(
    `SELECT at, audit_id, actor, actor_roles, action, method, route, target, status, ip,
            user_agent, request_id, detail
     FROM ${AUDIT_TABLE}
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY at DESC, audit_id DESC
     LIMIT {limit:UInt32}`,
    queryParams(filter),
  );
  return rows.map(auditEntry);
}

function auditEntry(row: AuditLogRow): AuditEntry {
  return {
    at: row.at,
    auditId: row.audit_id,
    actor: row.actor,
    actorRoles: [...row.actor_roles],
    action: row.action,
    method: row.method,
    route: row.route,
    target: row.target,
    status: row.status,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    detail: parseDetail(row.detail),
  };
}

function parseDetail(detail: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(detail) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
