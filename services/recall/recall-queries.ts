/**
 * The store reads behind the recall API. Every read uses FINAL and skips the rows of retracted
 * events. A recall's notices come back one row per notice with their delivery attempts and
 * answers already folded in by ClickHouse, so a page of recalls costs two queries.
 */
import { LIVE_CLOSURES, LIVE_RECALLS, OPEN_RECALLS } from '../common/store/projection-rules.js';
import { queryInChunks } from '../common/store/query-in-chunks.js';
import type { Store } from '../common/store/store.js';
import { byColumns } from '../common/serving/utf8-order.js';

/**
 * Scalar subqueries run once per query, where an IN subquery runs once per place it appears; and
 * `has(array, key)` lets ClickHouse use the sorting key. Every query here starts `WITH RETRACTED`.
 */
const RETRACTED = '(SELECT groupArray(target_event_id) FROM retractions FINAL) AS retracted';
const NOT_RETRACTED = 'NOT has(retracted, event_id)';
/** Hash joins: the right sides here are a few rows, too few to pay for a parallel join. */
const SETTINGS = "SETTINGS join_use_nulls = 1, join_algorithm = 'hash'";

/** Who is asking: regulators and admins see every recall, any other party only its own. */
export interface RecallReader {
  readonly partyId: string;
  readonly seesAll: boolean;
}

export type RecallStatus = 'open' | 'closed';

export interface RecallFilter {
  readonly recallId?: string;
  /** Recalls that name the batch, as a root or in a notice. */
  readonly batchId?: string;
  readonly status?: RecallStatus;
  /** Omitted: no visibility rule (the caller checks access itself). */
  readonly reader?: RecallReader;
}

export interface RecallRow {
  readonly recallId: string;
  readonly eventId: string;
  readonly initiatedBy: string;
  readonly level: number;
  readonly mode: string;
  readonly reason: string;
  readonly rootBatchIds: string[];
  readonly startedAt: string;
  readonly closedAt: string | null;
  readonly closedBy: string | null;
  readonly closeReason: string | null;
  /** The root batches and every batch a notice lists (recall_batches), unordered. */
  readonly affectedBatchIds: string[];
}

export interface NoticeAnswerRow {
  readonly kind: 'ACK' | 'PROGRESS';
  readonly party: string;
  readonly at: string;
  readonly recovered: number;
  readonly destroyed: number;
  readonly unit: string | null;
  readonly note: string | null;
}

export interface NoticeRow {
  readonly noticeId: string;
  readonly recallId: string;
  readonly recipient: string;
  /** Null when the recipient is not a registered party. */
  readonly recipientName: string | null;
  readonly recipientHasWebhook: boolean;
  /** JSON text of `[{ batchId, quantity, unit }]`, as the projector stored it. */
  readonly batches: string;
  readonly actions: string[];
  readonly deadline: string;
  readonly issuedAt: string;
  /** When the recall was closed, if it was: a closed recall stops the overdue clock. */
  readonly recallClosedAt: string | null;
  readonly attempts: number;
  readonly lastAttemptAt: string | null;
  readonly lastStatus: string | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  /** The first attempt that succeeded. */
  readonly deliveredAt: string | null;
  /** Acknowledgements and progress reports, unordered. */
  readonly answers: NoticeAnswerRow[];
}

/** The first closure that counts of each recall in `ids`. */
const closures = (ids: string) => `SELECT recall_id, closed_at, closed_by, reason
  FROM (${LIVE_CLOSURES}) WHERE has(${ids}, recall_id)
  ORDER BY recall_id, closed_at, event_id LIMIT 1 BY recall_id`;

/** Conditions on LIVE_RECALLS: which recalls exist and are open is settled there. */
function recallConditions(filter: RecallFilter): string[] {
  const conditions: string[] = [];
  if (filter.recallId !== undefined) conditions.push('recall_id = {recallId:String}');
  if (filter.batchId !== undefined) {
    conditions.push(`recall_id IN (SELECT recall_id FROM recall_batches FINAL
      WHERE batch_id = {batchId:String} AND ${NOT_RETRACTED})`);
  }
  if (filter.status !== undefined) {
    const open = `recall_id IN (SELECT recall_id FROM (${OPEN_RECALLS}))`;
    conditions.push(filter.status === 'open' ? open : `NOT (${open})`);
  }
  if (filter.reader && !filter.reader.seesAll) {
    conditions.push(`(initiated_by = {partyId:String} OR recall_id IN (
      SELECT recall_id FROM recall_notices FINAL WHERE recipient = {partyId:String} AND ${NOT_RETRACTED}))`);
  }
  return conditions.length > 0 ? conditions : ['1'];
}

/** The recalls matching `filter`, newest first. */
export async function findRecalls(store: Store, filter: RecallFilter): Promise<RecallRow[]> {
  return store.query<RecallRow>(
    `WITH ${RETRACTED},
       (SELECT groupUniqArray(recall_id) FROM (${LIVE_RECALLS})
        WHERE ${recallConditions(filter).join(' AND ')}) AS recall_ids
     SELECT r.recall_id AS recallId, r.event_id AS eventId, r.initiated_by AS initiatedBy,
       r.level AS level, r.mode AS mode, r.reason AS reason, r.root_batch_ids AS rootBatchIds,
       r.started_at AS startedAt, c.closed_at AS closedAt, c.closed_by AS closedBy,
       c.reason AS closeReason, ifNull(b.ids, []) AS affectedBatchIds
     FROM (SELECT * FROM (${LIVE_RECALLS}) WHERE has(recall_ids, recall_id)) AS r
     LEFT JOIN (${closures('recall_ids')}) AS c ON c.recall_id = r.recall_id
     LEFT JOIN (SELECT recall_id, groupUniqArray(batch_id) AS ids FROM recall_batches FINAL
                WHERE has(recall_ids, recall_id) AND ${NOT_RETRACTED}
                GROUP BY recall_id) AS b ON b.recall_id = r.recall_id
     ORDER BY startedAt DESC, recallId
     ${SETTINGS}`,
    {
      recallId: filter.recallId ?? '',
      batchId: filter.batchId ?? '',
      partyId: filter.reader?.partyId ?? '',
    },
  );
}

export async function findRecall(store: Store, recallId: string): Promise<RecallRow | undefined> {
  const [row] = await findRecalls(store, { recallId });
  return row;
}

/** Which notices: those of some recalls, those of one recipient, or both. */
export interface NoticeFilter {
  readonly recallIds?: readonly string[];
  readonly recipient?: string;
}

const ANSWER_TUPLE = `Tuple(kind String, party String, at DateTime64(3, 'UTC'), recovered Float64,
  destroyed Float64, unit Nullable(String), note Nullable(String))`;

/**
 * Per notice: how many attempts, the last one's outcome, the first success. The last attempt is
 * taken whole, as one tuple: aggregate functions skip NULLs, so a plain argMax of `error` or
 * `next_attempt_at` would return an earlier attempt's value where the last one has none (a
 * delivered notice would keep its old error, a given-up one its old retry time).
 */
const DELIVERIES = `SELECT notice_id, attempts, last.1 AS last_attempt_at, last.2 AS last_status,
    last.3 AS last_error, last.4 AS next_attempt_at, delivered_at
  FROM (SELECT notice_id, count() AS attempts,
          argMax(tuple(attempted_at, status, error, next_attempt_at), attempt) AS last,
          minIfOrNull(attempted_at, status = 'delivered') AS delivered_at
        FROM notice_deliveries FINAL WHERE has(notice_ids, notice_id)
        GROUP BY notice_id)`;

const ANSWERS = `SELECT notice_id,
    groupArray(CAST((kind, party, at, recovered, destroyed, unit, note) AS ${ANSWER_TUPLE})) AS answers
  FROM notice_answers FINAL
  WHERE has(notice_ids, notice_id) AND ${NOT_RETRACTED}
  GROUP BY notice_id`;

function noticeConditions(filter: NoticeFilter): string[] {
  // A retracted RecallInitiated takes its notices with it.
  const conditions = [NOT_RETRACTED, `recall_id IN (SELECT recall_id FROM (${LIVE_RECALLS}))`];
  if (filter.recallIds !== undefined) conditions.push('recall_id IN {recallIds:Array(String)}');
  if (filter.recipient !== undefined) conditions.push('recipient = {recipient:String}');
  return conditions;
}

/**
 * The notices matching `filter`, with delivery state and answers, oldest first. Every recall
 * listed (GET /v1/recalls names them all) is read in parts: each notice row comes from its own
 * recall, and the part's delivery, answer and recipient reads hold all of that notice's.
 */
export async function findNotices(store: Store, filter: NoticeFilter): Promise<NoticeRow[]> {
  if (filter.recallIds?.length === 0) return [];
  const conditions = noticeConditions(filter).join(' AND ');
  const sql = `WITH ${RETRACTED},
       (SELECT (groupArray(notice_id), groupUniqArray(recipient), groupUniqArray(recall_id))
        FROM recall_notices FINAL WHERE ${conditions}) AS chosen,
       chosen.1 AS notice_ids, chosen.2 AS recipients, chosen.3 AS recall_ids
     SELECT n.notice_id AS noticeId, n.recall_id AS recallId, n.recipient AS recipient,
       p.name AS recipientName, toBool(ifNull(p.webhook_url, '') != '') AS recipientHasWebhook,
       n.batches AS batches, n.actions AS actions, n.deadline AS deadline,
       n.issued_at AS issuedAt, c.closed_at AS recallClosedAt, ifNull(d.attempts, 0) AS attempts,
       d.last_attempt_at AS lastAttemptAt, d.last_status AS lastStatus,
       d.last_error AS lastError, d.next_attempt_at AS nextAttemptAt,
       d.delivered_at AS deliveredAt, ifNull(a.answers, []) AS answers
     FROM (SELECT * FROM recall_notices FINAL WHERE ${conditions}) AS n
     LEFT JOIN (SELECT party_id, name, webhook_url FROM parties FINAL
                WHERE has(recipients, party_id)) AS p ON p.party_id = n.recipient
     LEFT JOIN (${closures('recall_ids')}) AS c ON c.recall_id = n.recall_id
     LEFT JOIN (${DELIVERIES}) AS d ON d.notice_id = n.notice_id
     LEFT JOIN (${ANSWERS}) AS a ON a.notice_id = n.notice_id
     ORDER BY issuedAt, recallId, recipient
     ${SETTINGS}`;
  const params = { recallIds: [], recipient: filter.recipient ?? '' };
  if (filter.recallIds === undefined) return store.query<NoticeRow>(sql, params);
  return queryInChunks<NoticeRow>(store, sql, 'recallIds', filter.recallIds, {
    params,
    order: byColumns(
      (row) => row.issuedAt,
      (row) => row.recallId,
      (row) => row.recipient,
    ),
  });
}
