/**
 * What the audit trail records (DESIGN §5): every regulator trace query, every recall read or
 * action, and everything on the admin surface (parties, keys, the audit trail itself), denied
 * attempts included. A pure function of the finished request, so the rules are tested without HTTP.
 *
 * An action names what was done, never who did it; the actor's roles are recorded beside it. The
 * `admin.` prefix marks the admin surface, and `admin.request` a request by an admin caller to a
 * route no rule below knows. Nothing from a request is copied but ids, roles, event types and
 * read filters: no API keys, no webhook secrets or URLs, no other body fields.
 */
import { ROLES, type Role } from '../access/party-directory.js';

export type AuditDetail = Readonly<Record<string, string | number | readonly string[]>>;

export interface AuditedRequest {
  readonly method: string;
  /** The route pattern (`/v1/batches/:batchId`); for a request no route matched, its path. */
  readonly route: string;
  /** False when no route matched (a 404 from the not-found handler). */
  readonly routed: boolean;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** The authenticated party; undefined when authentication failed or did not run. */
  readonly caller: { readonly partyId: string; readonly roles: readonly Role[] } | undefined;
  /** The parsed body; only ids named by the rules are read from it. */
  readonly body: unknown;
  readonly status: number;
}

export interface AuditAction {
  readonly action: string;
  /** The id acted on (a batch, a recall, a party); ids joined by "," when there are several. */
  readonly target: string;
  readonly detail: AuditDetail;
}

/** The recall events whose submission is a recall action. */
export const RECALL_ACTION_EVENT_TYPES: readonly string[] = [
  'RecallInitiated',
  'RecallClosed',
  'RecallAcknowledged',
  'RecallProgressReported',
];

const MAX_ID_LENGTH = 200;
const MAX_IDS = 100;
const ROLE_NAMES: readonly string[] = ROLES;

type Rule = (request: AuditedRequest) => AuditAction | undefined;

/** The entry to record for a finished request, or undefined when it is not audited. */
export function auditActionFor(request: AuditedRequest): AuditAction | undefined {
  if (!request.routed) return unroutedAdminAction(request);
  // Fastify answers HEAD with the GET handler: the same read, so the same rule.
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const decided = RULES.get(`${method} ${request.route}`)?.(request);
  if (decided) return decided;
  if (hasRole(request, 'admin')) return adminFallback(request);
  return undefined;
}

/** The rules by `METHOD /route/pattern`. */
const RULES: ReadonlyMap<string, Rule> = new Map(
  Object.entries<Rule>({
    'GET /v1/batches/:batchId': (request) => traceRead(request, 'batch.read'),
    'GET /v1/batches/:batchId/trace': (request) => traceRead(request, 'trace.read'),
    'GET /v1/recalls': (request) => ({
      action: 'recall.read',
      target: '',
      detail: { view: 'list', ...stringFields(request.query, ['status', 'batchId']) },
    }),
    'GET /v1/recalls/:recallId': (request) => recallRead(request, 'recall.read', 'recall'),
    'GET /v1/recalls/:recallId/notices': (request) => recallRead(request, 'recall.read', 'notices'),
    'GET /v1/recalls/:recallId/report': (request) =>
      recallRead(request, 'recall.report', 'report', stringFields(request.query, ['format'])),
    'GET /v1/notices': () => ({
      action: 'recall.read',
      target: '',
      detail: { view: 'own-notices' },
    }),
    'POST /v1/recalls/mock': mockRecall,
    'POST /v1/events': submittedEvents,
    'POST /v1/parties': (request) => ({
      action: 'admin.party.create',
      target: idOf(field(request.body, 'partyId')),
      detail: {
        roles: ids(field(request.body, 'roles')).filter((role) => ROLE_NAMES.includes(role)),
      },
    }),
    'POST /v1/parties/:partyId/keys': (request) => ({
      action: 'admin.key.create',
      target: idOf(request.params.partyId),
      detail: {},
    }),
    'GET /v1/parties/:partyId/keys': (request) => ({
      action: 'admin.key.list',
      target: idOf(request.params.partyId),
      detail: {},
    }),
    'DELETE /v1/parties/:partyId/keys/:keyId': (request) => ({
      action: 'admin.key.revoke',
      target: idOf(request.params.partyId),
      detail: { keyId: idOf(request.params.keyId) },
    }),
    'GET /v1/admin/log/:topic/:partition/:offset': (request) => ({
      action: 'admin.log.inspect',
      target: logPosition(request),
      detail: {},
    }),
    'POST /v1/admin/log/:topic/:partition/:offset/quarantine': (request) => ({
      action: 'admin.log.quarantine',
      target: logPosition(request),
      detail: {},
    }),
    'GET /v1/audit': (request) => ({
      action: 'admin.audit.read',
      target: '',
      detail: stringFields(request.query, ['actor', 'action', 'target', 'since', 'until', 'limit']),
    }),
  }),
);

/** A log record as `topic/partition/offset`. */
const logPosition = ({ params }: AuditedRequest): string =>
  [params.topic, params.partition, params.offset].map(idOf).join('/');

const hasRole = (request: AuditedRequest, role: Role): boolean =>
  request.caller?.roles.includes(role) ?? false;

/**
 * Trace and batch reads are recorded for regulators (and admins, whose every request is); another
 * party's read only when it was refused, as an attempt on batches out of its reach.
 */
function traceRead(request: AuditedRequest, action: string): AuditAction | undefined {
  const recorded =
    hasRole(request, 'regulator') || hasRole(request, 'admin') || request.status === 403;
  if (!recorded) return undefined;
  const detail = action === 'trace.read' ? stringFields(request.query, ['direction']) : {};
  return { action, target: idOf(request.params.batchId), detail };
}

function recallRead(
  request: AuditedRequest,
  action: string,
  view: string,
  extra: AuditDetail = {},
): AuditAction {
  return { action, target: idOf(request.params.recallId), detail: { view, ...extra } };
}

function mockRecall(request: AuditedRequest): AuditAction {
  const rootBatchIds = distinct(ids(field(request.body, 'rootBatchIds')));
  return { action: 'recall.mock', target: rootBatchIds.join(','), detail: { rootBatchIds } };
}

/** A submission holding recall events is a recall action; other submissions only an admin's. */
function submittedEvents(request: AuditedRequest): AuditAction | undefined {
  const events = submittedList(request.body);
  const eventTypes = distinct(ids(events.map((event) => field(event, 'eventType'))));
  const recallEvents = events.filter((event) =>
    RECALL_ACTION_EVENT_TYPES.includes(idOf(field(event, 'eventType'))),
  );
  if (recallEvents.length === 0) {
    return hasRole(request, 'admin')
      ? { action: 'events.submit', target: '', detail: { eventTypes } }
      : undefined;
  }
  const recallIds = distinct(ids(recallEvents.map((event) => field(event, 'recallId'))));
  const noticeIds = distinct(ids(recallEvents.map((event) => field(event, 'noticeId'))));
  return {
    action: 'recall.action',
    target: [...recallIds, ...noticeIds].join(','),
    detail: { eventTypes, recallIds, noticeIds },
  };
}

/** Any other request by an admin caller: the route pattern and status say what it was. */
function adminFallback(request: AuditedRequest): AuditAction {
  const onParties = request.route.startsWith('/v1/parties');
  const verb = request.method === 'GET' ? 'read' : request.method.toLowerCase();
  const action = onParties ? `admin.party.${verb}` : 'admin.request';
  return { action, target: onParties ? idOf(request.params.partyId) : '', detail: {} };
}

/**
 * A request to the admin surface that no route answers (a PUT on /v1/audit, say) is an attempt
 * worth keeping. Authentication does not run without a route, so its actor is anonymous.
 */
function unroutedAdminAction(request: AuditedRequest): AuditAction | undefined {
  const onAdminSurface = ['/v1/audit', '/v1/parties', '/v1/admin'].some(
    (prefix) => request.route === prefix || request.route.startsWith(`${prefix}/`),
  );
  return onAdminSurface ? { action: 'admin.unrouted', target: '', detail: {} } : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function submittedList(body: unknown): unknown[] {
  if (!isObject(body)) return [];
  if (!('events' in body)) return [body];
  return Array.isArray(body.events) ? body.events.slice(0, 1000) : [];
}

const field = (value: unknown, key: string): unknown => (isObject(value) ? value[key] : undefined);

/** An id as recorded: a string, trimmed and cut to a sane length; anything else is no id. */
function idOf(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, MAX_ID_LENGTH) : '';
}

/** The ids in a value (one id or a list), at most MAX_IDS of them. */
function ids(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values
    .slice(0, MAX_IDS)
    .map(idOf)
    .filter((id) => id !== '');
}

const distinct = (values: string[]): string[] => [...new Set(values)];

/** The named query fields that hold one string, cut like ids; others are left out. */
function stringFields(
  query: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    keys.flatMap((key) => {
      const value = idOf(query[key]);
      return value === '' ? [] : [[key, value]];
    }),
  );
}
