/**
 * The audit trail for admins: `GET /v1/audit`, newest first, filtered by actor, action, target and
 * time. Read only: no route changes or deletes an audit row (DESIGN §5).
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { SuyuanError } from '../errors.js';
import { requireRole } from '../http/authenticate.js';
import type { Store } from '../store/store.js';
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

export interface AuditEntry {
  readonly at: string;
  readonly auditId: string;
  readonly actor: string;
  readonly actorRoles: readonly string[];
  readonly action: string;
  readonly method: string;
  readonly route: string;
  readonly target: string;
  readonly status: number;
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly detail: Record<string, unknown>;
}

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

const text = { type: 'string' } as const;
const MAX_FILTER_LENGTH = 256;
/** A filter value as `parseText` takes it. */
const filterText = { type: 'string', minLength: 1, maxLength: MAX_FILTER_LENGTH } as const;
const errorAnswer = (description: string) => ({
  description,
  $ref: '#/components/schemas/Error',
});

/** The OpenAPI description (documentation only: http-app.ts validates nothing with it). */
const auditSchema: FastifySchema = {
  tags: ['audit'],
  summary: 'The audit trail, newest first (admin); it is append-only, nothing changes it',
  querystring: {
    type: 'object',
    properties: {
      actor: { ...filterText, description: 'A party id, or "anonymous"' },
      action: {
        ...filterText,
        description: 'An action (trace.read), or a family of them (recall.*)',
      },
      target: { ...filterText, description: 'A batch, recall, notice or party id' },
      since: { ...text, format: 'date-time', description: 'Inclusive' },
      until: { ...text, format: 'date-time', description: 'Exclusive' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_LIMIT, default: 100 },
    },
  },
  response: {
    200: {
      description: 'Audit entries: who, when, what and from where',
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...{ at: { ...text, format: 'date-time' }, auditId: text, actor: text },
          ...{ actorRoles: { type: 'array', items: text }, action: text, method: text },
          ...{ route: text, target: text, status: { type: 'integer' }, ip: text },
          ...{ userAgent: text, requestId: text, detail: { type: 'object' } },
        },
      },
    },
    400: errorAnswer('Invalid input: the message names the parameter'),
    401: errorAnswer('No API key, or an unknown or revoked one'),
    403: errorAnswer('Only an admin reads the audit trail'),
  },
};

export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const route = { schema: auditSchema };
  app.get<{ Querystring: Record<string, unknown> }>('/v1/audit', route, async (request) => {
    requireRole(request, 'admin');
    const filter = parseAuditQuery(request.query);
    await deps.flush?.();
    return findAuditEntries(deps.store, filter);
  });
}

function invalid(path: string, message: string): SuyuanError {
  return new SuyuanError('invalid_request', `${path}: ${message}`, {
    details: [{ path, message }],
  });
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function parseText(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FILTER_LENGTH) {
    throw invalid(name, `must be one non-empty value of at most ${MAX_FILTER_LENGTH} characters`);
  }
  return value;
}

function parseTime(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' && RFC_3339.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw invalid(name, 'must be an RFC 3339 time');
  return new Date(time).toISOString();
}

function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_AUDIT_LIMIT;
  const limit = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_AUDIT_LIMIT)) {
    throw invalid('limit', `must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
  }
  return limit;
}

/** Reads the query of GET /v1/audit; a bad value is an `invalid_request` naming the parameter. */
export function parseAuditQuery(query: Readonly<Record<string, unknown>>): AuditFilter {
  const known = ['actor', 'action', 'target', 'since', 'until', 'limit'];
  const unknown = Object.keys(query).find((key) => !known.includes(key));
  if (unknown !== undefined) throw invalid(unknown, `unknown parameter (use ${known.join(', ')})`);
  const filter = {
    actor: parseText('actor', query.actor),
    action: parseText('action', query.action),
    target: parseText('target', query.target),
    since: parseTime('since', query.since),
    until: parseTime('until', query.until),
    limit: parseLimit(query.limit),
  };
  if (filter.since && filter.until && filter.since >= filter.until) {
    throw invalid('until', 'must be later than since');
  }
  return filter;
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
    actorRoles: row.actor_roles,
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
