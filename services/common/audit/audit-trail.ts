/**
 * The audit trail of an HTTP app: after each response, the audit policy decides whether the
 * request is recorded, by the rule its route was mounted with, and the row joins a buffer written
 * to `audit_log` in batches, so one request does not cost one insert. Rows are only ever inserted
 * (infra/clickhouse/0005_audit.sql).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { auditActionFor, type AuditAction, type AuditedRequest } from './audit-policy.js';

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
}

/** Its functions are free of `this`, so `flush` can be handed on alone (registerAuditRoutes). */
export interface AuditTrail {
  /** Writes the pending rows now; a failure is logged and the rows kept for the next flush. */
  readonly flush: () => Promise<void>;
  /** Stops the timer and writes what is pending. */
  readonly close: () => Promise<void>;
}

export const ANONYMOUS_ACTOR = 'anonymous';
const MAX_USER_AGENT_LENGTH = 512;
const MAX_PATH_LENGTH = 512;

export function installAuditTrail(app: FastifyInstance, deps: AuditTrailOptions): AuditTrail {
  const logger = deps.logger.child({ component: 'audit' });
  const buffer = createAuditBuffer({
    store: deps.store,
    logger,
    maxBuffer: deps.maxBuffer ?? 500,
  });
  // The admin surface is learnt as routes are added: the paths of the routes mounted as part of it.
  const adminSurface: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.adminSurface) adminSurface.push(staticPrefix(route.url));
  });
  app.addHook('onResponse', async (request, reply) => {
    const audited = auditedRequest(request, reply);
    const decided = auditActionFor(audited, adminSurface);
    if (decided) buffer.add(auditRow(request, audited, decided));
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
    route: pattern ?? (request.url.split('?')[0] ?? '').slice(0, MAX_PATH_LENGTH),
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

function auditRow(
  request: FastifyRequest,
  { caller, route, method, status }: AuditedRequest,
  decided: AuditAction,
): AuditLogRow {
  const userAgent = request.headers['user-agent'] ?? '';
  return {
    at: new Date().toISOString(),
    audit_id: randomUUID(),
    actor: caller?.partyId ?? ANONYMOUS_ACTOR,
    actor_roles: caller ? [...caller.roles] : [],
    action: decided.action,
    method,
    route,
    target: decided.target,
    status,
    ip: request.ip,
    user_agent: userAgent.slice(0, MAX_USER_AGENT_LENGTH),
    request_id: request.id,
    detail: JSON.stringify(decided.detail),
  };
}

interface AuditBuffer {
  readonly add: (row: AuditLogRow) => void;
  readonly flush: () => Promise<void>;
  /** Logs the rows still unwritten (at close, when the store stayed down). */
  readonly reportLost: () => void;
}

/**
 * Pending rows, written one batch at a time. A failed write puts its rows back in front, so the
 * next flush retries them in order; memory is capped at ten batches, beyond which new rows are
 * dropped and counted (the earliest evidence is kept). Only the timer retries after a failure, so
 * a store that is down is not hammered by every request.
 */
function createAuditBuffer(deps: { store: Store; logger: Logger; maxBuffer: number }): AuditBuffer {
  const { store, logger, maxBuffer } = deps;
  const cap = maxBuffer * 10;
  let pending: AuditLogRow[] = [];
  let inFlight = 0;
  let lastWriteFailed = false;
  let dropped = 0;
  let writes: Promise<void> = Promise.resolve();

  const write = async (): Promise<void> => {
    reportDropped();
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    inFlight = rows.length;
    try {
      await store.insert(AUDIT_TABLE, rows);
      lastWriteFailed = false;
    } catch (err) {
      pending = [...rows, ...pending];
      lastWriteFailed = true;
      logger.error({ err, rows: pending.length }, 'audit write failed, rows kept for a retry');
    } finally {
      inFlight = 0;
    }
  };

  const reportDropped = () => {
    if (dropped === 0) return;
    logger.error({ dropped, cap }, 'audit rows dropped: the store refused writes too long');
    dropped = 0;
  };

  // Writes run one after another, so a row is never written twice nor overtaken; the chain never
  // rejects, so the timer's flush cannot become an unhandled rejection.
  const flush = (): Promise<void> => {
    writes = writes
      .then(write)
      .catch((err: unknown) => logger.error({ err }, 'audit flush failed'));
    return writes;
  };

  return {
    add: (row) => {
      if (pending.length + inFlight >= cap) {
        if (dropped === 0) logger.error({ cap }, 'audit buffer full, dropping audit rows');
        dropped += 1;
        return;
      }
      pending.push(row);
      if (pending.length >= maxBuffer && inFlight === 0 && !lastWriteFailed) void flush();
    },
    flush,
    reportLost: () => {
      reportDropped();
      if (pending.length > 0) {
        logger.error({ rows: pending.length }, 'audit rows lost: the store refused the last write');
      }
    },
  };
}
