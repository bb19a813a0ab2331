/**
 * The audit trail of an HTTP app: after each response, the audit policy decides whether the
 * request is recorded, by the rule its route was mounted with, and the row joins a buffer written
 * to `audit_log` in batches, so one request does not cost one insert. Rows are only ever inserted
 * (infra/clickhouse/0005_audit.sql).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import { AUDIT_LOSSES, createAuditBuffer } from './audit-buffer.js';
import { auditActionFor, type AuditAction, type AuditedRequest } from './audit-policy.js';
import { storableText } from './storable-text.js';

export const AUDIT_TABLE = 'audit_log';

/** One row of `audit_log`, as written and as read back. */
export interface AuditLogRow {
  readonly at: string;
  readonly audit_id: string;
  readonly actor: string;
  readonly actor_roles: readonly string[];
  readonly action: string;
  readonly method: string;
  readonly route: string;
  readonly target: string;
  readonly status: number;
  readonly ip: string;
  readonly user_agent: string;
  readonly request_id: string;
  /** The policy's detail as JSON: ids and filters only. */
  readonly detail: string;
}

export interface AuditTrailOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** How often pending rows are written; 1000 ms by default. */
  readonly flushIntervalMs?: number;
  /** Pending rows that trigger a write before the timer; 500 by default. Memory holds 10× this. */
  readonly maxBuffer?: number;
  /** Where lost rows are counted (`suyuan_audit_rows_lost_total`). */
  readonly metrics?: Pick<Metrics, 'auditRowsLost'>;
}

/** Its functions are free of `this`, so `flush` can be handed on alone (registerAuditRoutes). */
export interface AuditTrail {
  /**
   * Writes the pending rows now. Rows the store could not be reached for are kept for the next
   * flush; a row the store refuses is dropped alone, counted and logged.
   */
  readonly flush: () => Promise<void>;
  /** Stops the timer and writes what is pending. */
  readonly close: () => Promise<void>;
}

export const ANONYMOUS_ACTOR = 'anonymous';
const MAX_USER_AGENT_LENGTH = 512;
const MAX_PATH_LENGTH = 512;

export function installAuditTrail(app: FastifyInstance, deps: AuditTrailOptions): AuditTrail {
  const logger = deps.logger.child({ component: 'audit' });
  // Every reason reported from the start, at 0, so that an alert on an increase sees the first.
  for (const reason of AUDIT_LOSSES) deps.metrics?.auditRowsLost.inc({ reason }, 0);
  const buffer = createAuditBuffer<AuditLogRow>({
    store: deps.store,
    table: AUDIT_TABLE,
    logger,
    maxBuffer: deps.maxBuffer ?? 500,
    onLost: (rows, reason) => deps.metrics?.auditRowsLost.inc({ reason }, rows),
    describe: (row) => ({ auditId: row.audit_id, action: row.action, route: row.route }),
  });
  // The admin surface is learnt as routes are added: the paths of the routes mounted as part of it.
  const adminSurface: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.adminSurface) adminSurface.push(staticPrefix(route.url));
  });
  app.addHook('onResponse', async (request, reply) => {
    const audited = auditedRequest(request, reply);
    const decided = auditActionFor(audited, adminSurface);
    if (!decided) return;
    const userAgent = request.headers['user-agent'] ?? '';
    buffer.add(auditRow({ ip: request.ip, userAgent, requestId: request.id }, audited, decided));
  });
  const timer = setInterval(() => void buffer.flush(), deps.flushIntervalMs ?? 1000);
  // The trail must not keep a process alive; close() writes what is left.
  timer.unref();
  return {
    flush: buffer.flush,
    close: async () => {
      clearInterval(timer);
      await buffer.flush();
      buffer.reportLost();
    },
  };
}

function auditedRequest(request: FastifyRequest, reply: FastifyReply): AuditedRequest {
  const pattern = request.routeOptions.url;
  // `caller` is declared always set, but is not for a request that failed authentication.
  const caller = request.caller as FastifyRequest['caller'] | undefined;
  return {
    method: request.method,
    route: pattern ?? request.url.split('?')[0] ?? '',
    routed: pattern !== undefined,
    params: asRecord(request.params),
    query: asRecord(request.query),
    caller,
    body: request.body,
    status: reply.statusCode,
    rule: request.routeOptions.config.audit,
  };
}

/** `/v1/parties/:partyId/keys` → `/v1/parties`: the path before its first parameter. */
function staticPrefix(url: string): string {
  return url.split('/:')[0]?.replace(/\/+$/, '') ?? url;
}

const asRecord = (value: unknown): Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** Who sent a request, from where: what the row records besides the request itself. */
export interface RequestOrigin {
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
}

/**
 * The row for an audited request. Every text in it is made storable (valid Unicode, cut by code
 * point), so that whatever a request carried, its row can be written.
 */
export function auditRow(
  origin: RequestOrigin,
  { caller, route, method, status }: AuditedRequest,
  decided: AuditAction,
): AuditLogRow {
  return {
    at: new Date().toISOString(),
    audit_id: randomUUID(),
    actor: storableText(caller?.partyId ?? ANONYMOUS_ACTOR),
    actor_roles: caller ? caller.roles.map((role) => storableText(role)) : [],
    action: storableText(decided.action),
    method: storableText(method),
    route: storableText(route, MAX_PATH_LENGTH),
    target: storableText(decided.target),
    status,
    ip: storableText(origin.ip),
    user_agent: storableText(origin.userAgent, MAX_USER_AGENT_LENGTH),
    request_id: storableText(origin.requestId),
    detail: storableText(JSON.stringify(decided.detail)),
  };
}
