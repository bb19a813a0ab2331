/**
 * What the audit trail records (DESIGN §5): every regulator trace query, every recall read or
 * action, and everything on the admin surface (parties, keys, the audit trail itself), denied
 * attempts included. A pure function of the finished request, so the rules are tested without HTTP.
 *
 * Each service hands the rule of each of its routes with the route (operations.ts); the helpers
 * below are what the rules read requests with. An action names what was done, never who did it;
 * the actor's roles are recorded beside it. The `admin.` prefix marks the admin surface, and
 * `admin.request` a request by an admin caller that no rule records. Nothing from a request is
 * copied but ids, roles, event types and read filters: no API keys, no webhook secrets or URLs,
 * no other body fields.
 */
import type { Role } from '../access/party-directory.js';
import { storableText } from './storable-text.js';

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
  /** The route's own rule, if it has one. */
  readonly rule?: AuditRule | undefined;
}

export interface AuditAction {
  readonly action: string;
  /** The id acted on (a batch, a recall, a party); ids joined by "," when there are several. */
  readonly target: string;
  readonly detail: AuditDetail;
}

/** What a route records of a finished request; undefined records nothing. */
export type AuditRule = (request: AuditedRequest) => AuditAction | undefined;

const MAX_ID_LENGTH = 200;
const MAX_IDS = 100;

/**
 * The entry to record for a finished request, or undefined when it is not audited: the route's
 * own rule decides; an admin's request that no rule records is recorded all the same, and so is
 * a request that no route answers under the admin surface (the paths of the routes mounted as
 * such, see operations.ts).
 */
export function auditActionFor(
  request: AuditedRequest,
  adminSurface: readonly string[] = [],
): AuditAction | undefined {
  if (!request.routed) return unroutedAdminAction(request, adminSurface);
  const decided = request.rule?.(request);
  if (decided) return decided;
  if (hasRole(request, 'admin')) return { action: 'admin.request', target: '', detail: {} };
  return undefined;
}

export const hasRole = (request: AuditedRequest, role: Role): boolean =>
  request.caller?.roles.includes(role) ?? false;

/**
 * A request to the admin surface that no route answers (a PUT on /v1/audit, say) is an attempt
 * worth keeping. Authentication does not run without a route, so its actor is anonymous.
 */
function unroutedAdminAction(
  request: AuditedRequest,
  adminSurface: readonly string[],
): AuditAction | undefined {
  const onAdminSurface = adminSurface.some(
    (prefix) => request.route === prefix || request.route.startsWith(`${prefix}/`),
  );
  return onAdminSurface ? { action: 'admin.unrouted', target: '', detail: {} } : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const field = (value: unknown, key: string): unknown =>
  isObject(value) ? value[key] : undefined;

/**
 * An id as recorded: a string, trimmed, made valid Unicode and cut to a sane length by code point
 * (a cut by UTF-16 unit could leave half a surrogate pair, which the store refuses); anything else
 * is no id.
 */
export function idOf(value: unknown): string {
  return typeof value === 'string' ? storableText(value.trim(), MAX_ID_LENGTH) : '';
}

/** The ids in a value (one id or a list), at most MAX_IDS of them. */
export function ids(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values
    .slice(0, MAX_IDS)
    .map(idOf)
    .filter((id) => id !== '');
}

export const distinct = (values: string[]): string[] => [...new Set(values)];

/** The named query fields that hold one string, cut like ids; others are left out. */
export function stringFields(
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
