/**
 * The notifier's reads and writes. Delivery state lives only in the store (`notice_deliveries`,
 * one row per attempt), so any notifier process can pick up where another stopped. Two kinds of
 * notice are delivered the same way: recall notices (`recall_notices`) and the 一级 warnings the
 * warning watch records for regulators (`warning_notices`, ../warnings/warning-watch.ts).
 */
import { LIVE_RECALLS } from '../../common/store/projection-rules.js';
import type { Store } from '../../common/store/store.js';

export type NoticeKind = 'recall-notice' | 'risk-warning';

/** A notice of either kind whose next delivery attempt is due, with everything to send it. */
export interface DueNotice {
  readonly kind: NoticeKind;
  /** The `webhook-id`: stable across retries, the receiver's key to dedupe on. */
  readonly noticeId: string;
  readonly recipient: string;
  /** The JSON body, built from the stored notice when it is due. */
  readonly body: object;
  readonly url: string;
  readonly secret: string | null;
  /** Attempts already recorded; the next one is `attempts + 1`. */
  readonly attempts: number;
}

/** The JSON body of a recall notice webhook. */
export interface WebhookNotice {
  readonly noticeId: string;
  readonly recallId: string;
  readonly recipient: string;
  readonly batches: ReadonlyArray<{ batchId: string; quantity: number; unit: string }>;
  readonly actions: readonly string[];
  readonly deadline: string;
  readonly issuedAt: string;
  readonly recall: { readonly level: number; readonly mode: string; readonly reason: string };
}

interface DueRow {
  notice_id: string;
  recall_id: string;
  recipient: string;
  batches: string;
  actions: string[];
  deadline: string;
  issued_at: string;
  url: string;
  secret: string | null;
  level: number;
  mode: string;
  reason: string;
  attempts: number;
}

/**
 * The attempts so far of each notice of `table`, to LEFT JOIN: a notice never attempted has none
 * (and reads `attempts = 0`).
 */
const ATTEMPTS_SO_FAR = (table: 'recall_notices' | 'warning_notices') => `LEFT JOIN (
  SELECT notice_id, max(attempt) AS attempts, argMax(tuple(next_attempt_at), attempt).1 AS next_at,
         countIf(status = 'delivered') AS delivered
  FROM notice_deliveries FINAL WHERE notice_id IN (SELECT notice_id FROM ${table})
  GROUP BY notice_id)`;

const DUE = `d.attempts = 0
   OR (d.delivered = 0 AND d.next_at <= fromUnixTimestamp64Milli({nowMs:Int64}, 'UTC'))`;

/**
 * One query for the whole round, however many parties a recall reaches. Due = the recipient has a
 * webhook, and the notice was never attempted, or its last attempt failed with a retry time that
 * has come. A delivered notice has a `delivered` row; a given-up one ends in a failed row without
 * `next_attempt_at`; neither is due again. A notice waits until its recall is projected, so the
 * body always carries the recall's level, mode and reason; the notices of a retracted recall are
 * not sent. `next_at` is taken through a tuple because aggregate functions skip NULLs: a plain
 * argMax would return an earlier attempt's retry time for a notice whose last attempt gave up.
 */
const DUE_NOTICES_SQL = `
SELECT n.notice_id AS notice_id, n.recall_id AS recall_id, n.recipient AS recipient,
       n.batches AS batches, n.actions AS actions, n.deadline AS deadline, n.issued_at AS issued_at,
       p.webhook_url AS url, p.webhook_secret AS secret,
       r.level AS level, r.mode AS mode, r.reason AS reason, d.attempts AS attempts
FROM (SELECT notice_id, recall_id, recipient, batches, actions, deadline, issued_at
      FROM recall_notices FINAL) AS n
INNER JOIN (SELECT party_id, webhook_url, webhook_secret FROM parties FINAL
            WHERE coalesce(webhook_url, '') != '') AS p ON p.party_id = n.recipient
INNER JOIN (SELECT recall_id, level, mode, reason FROM (${LIVE_RECALLS})) AS r
  ON r.recall_id = n.recall_id
${ATTEMPTS_SO_FAR('recall_notices')} AS d ON d.notice_id = n.notice_id
WHERE ${DUE}
ORDER BY n.issued_at, n.notice_id
LIMIT {limit:UInt32}`;

export async function findDueNotices(store: Store, now: Date, limit: number): Promise<DueNotice[]> {
  const rows = await store.query<DueRow>(DUE_NOTICES_SQL, { nowMs: now.getTime(), limit });
  return rows.map((row) => ({
    kind: 'recall-notice',
    noticeId: row.notice_id,
    recipient: row.recipient,
    body: recallNoticeBody(row),
    url: row.url,
    secret: row.secret,
    attempts: row.attempts,
  }));
}

function recallNoticeBody(row: DueRow): WebhookNotice {
  const lines = JSON.parse(row.batches) as WebhookNotice['batches'];
  return {
    noticeId: row.notice_id,
    recallId: row.recall_id,
    recipient: row.recipient,
    batches: lines.map(({ batchId, quantity, unit }) => ({ batchId, quantity, unit })),
    actions: row.actions,
    deadline: new Date(row.deadline).toISOString(),
    issuedAt: new Date(row.issued_at).toISOString(),
    recall: { level: row.level, mode: row.mode, reason: row.reason },
  };
}

/** The JSON body of a risk warning webhook: the warning as the watch first saw it raised. */
export interface WebhookWarning {
  readonly kind: 'risk-warning';
  readonly noticeId: string;
  readonly recipient: string;
  readonly raisedAt: string;
  readonly warning: object;
}

interface DueWarningRow {
  notice_id: string;
  recipient: string;
  warning: string;
  raised_at: string;
  url: string;
  secret: string | null;
  attempts: number;
}

/** Due as recall notices are, to a regulator that has a webhook. */
const DUE_WARNING_NOTICES_SQL = `
SELECT n.notice_id AS notice_id, n.recipient AS recipient, n.warning AS warning,
       n.raised_at AS raised_at, p.webhook_url AS url, p.webhook_secret AS secret,
       d.attempts AS attempts
FROM (SELECT notice_id, recipient, warning, raised_at FROM warning_notices FINAL) AS n
INNER JOIN (SELECT party_id, webhook_url, webhook_secret FROM parties FINAL
            WHERE coalesce(webhook_url, '') != '') AS p ON p.party_id = n.recipient
${ATTEMPTS_SO_FAR('warning_notices')} AS d ON d.notice_id = n.notice_id
WHERE ${DUE}
ORDER BY n.raised_at, n.notice_id
LIMIT {limit:UInt32}`;

export async function findDueWarningNotices(
  store: Store,
  now: Date,
  limit: number,
): Promise<DueNotice[]> {
  const rows = await store.query<DueWarningRow>(DUE_WARNING_NOTICES_SQL, {
    nowMs: now.getTime(),
    limit,
  });
  return rows.map((row) => {
    const body: WebhookWarning = {
      kind: 'risk-warning',
      noticeId: row.notice_id,
      recipient: row.recipient,
      raisedAt: new Date(row.raised_at).toISOString(),
      warning: JSON.parse(row.warning) as object,
    };
    return {
      kind: 'risk-warning',
      noticeId: row.notice_id,
      recipient: row.recipient,
      body,
      url: row.url,
      secret: row.secret,
      attempts: row.attempts,
    };
  });
}

export type DeliveryStatus = 'delivered' | 'failed';

/** One row of `notice_deliveries`: one attempt. */
export interface DeliveryRow {
  readonly notice_id: string;
  readonly attempt: number;
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly http_status: number | null;
  readonly error: string | null;
  readonly attempted_at: string;
  /** When the next attempt is due; null once delivered or given up. */
  readonly next_attempt_at: string | null;
}

/** One row of `webhook_endpoints`. */
export interface EndpointRow {
  readonly party_id: string;
  readonly url: string;
  readonly consecutive_failures: number;
  readonly failing: boolean;
  readonly last_error: string | null;
  readonly updated_at: string;
}

export async function loadEndpoints(
  store: Store,
  partyIds: readonly string[],
): Promise<Map<string, EndpointRow>> {
  if (partyIds.length === 0) return new Map();
  const rows = await store.query<EndpointRow>(
    `SELECT party_id, url, consecutive_failures, failing, last_error, updated_at
     FROM webhook_endpoints FINAL WHERE party_id IN {ids:Array(String)}`,
    { ids: [...new Set(partyIds)] },
  );
  return new Map(rows.map((row) => [row.party_id, row]));
}

/** Writes attempts and the endpoint states they led to, in one insert per table. */
export async function recordAttempts(
  store: Store,
  deliveries: readonly DeliveryRow[],
  endpoints: readonly EndpointRow[],
): Promise<void> {
  await store.insert('notice_deliveries', deliveries);
  await store.insert('webhook_endpoints', endpoints);
}
