/**
 * What the projection's rows mean, as SQL every service reads them with: which production of a
 * batch counts, which recalls exist, which are open. One definition, so ingest's checks and
 * warnings, the trace, the recall service, the notifier and the listings can never disagree.
 * Each is a self-contained subquery over the tables of infra/clickhouse/.
 *
 * A retracted event (EventRetracted, after EPCIS errorDeclaration) counts for nothing: a
 * retracted RecallInitiated opens no recall, and a retracted RecallClosed closes none, so the
 * recall it named is open again.
 */
import type { Store } from './store.js';

/** The ids of the events some EventRetracted took back. */
export const RETRACTED_EVENT_IDS = 'SELECT target_event_id FROM retractions FINAL';

/** The row's event was not retracted. */
export const NOT_RETRACTED = `event_id NOT IN (${RETRACTED_EVENT_IDS})`;

/**
 * The BatchProduced that counts for each batch among `batchIds` (an SQL array or subquery), one
 * row each with the `batches` columns: the earliest recorded that is not retracted. A batch id
 * names one batch; ingest refuses any other production of an id that has one, and a claim that
 * got in all the same (two posted at once) is ignored with the inputs it names.
 */
export const countingProductions = (batchIds: string): string => `SELECT * FROM batches FINAL
  WHERE batch_id IN ${batchIds} AND ${NOT_RETRACTED}
  ORDER BY batch_id, recorded_at, event_id LIMIT 1 BY batch_id`;

/**
 * The BatchProduced that counts for every batch (the columns of `batches`): countingProductions
 * over the whole table, for analytics that read every batch at once (gaps, exports).
 */
export const ALL_COUNTING_PRODUCTIONS = `SELECT * FROM batches FINAL WHERE ${NOT_RETRACTED}
  ORDER BY batch_id, recorded_at, event_id LIMIT 1 BY batch_id`;

/**
 * The recalls that exist, one row each (the `recalls` columns): the first recorded
 * RecallInitiated of each recall id that is not retracted.
 */
export const LIVE_RECALLS = `SELECT recall_id, event_id, initiated_by, level, mode, reason,
    root_batch_ids, started_at, recorded_at
  FROM recalls FINAL WHERE ${NOT_RETRACTED}
  ORDER BY recall_id, recorded_at, event_id LIMIT 1 BY recall_id`;

/** The closures that count (the `recall_closures` columns): every RecallClosed not retracted. */
export const LIVE_CLOSURES = `SELECT recall_id, event_id, closed_by, reason, closed_at
  FROM recall_closures FINAL WHERE ${NOT_RETRACTED}`;

/** The open recalls (the columns of LIVE_RECALLS): those that exist and no live closure names. */
export const OPEN_RECALLS = `SELECT * FROM (${LIVE_RECALLS})
  WHERE recall_id NOT IN (SELECT recall_id FROM (${LIVE_CLOSURES}))`;

export interface OpenRecallRow {
  readonly recallId: string;
  readonly level: number;
  readonly rootBatchIds: string[];
  readonly startedAt: string;
}

/** The open recalls, oldest first. */
export async function findOpenRecalls(store: Store): Promise<OpenRecallRow[]> {
  return store.query<OpenRecallRow>(
    `SELECT recall_id AS recallId, level, root_batch_ids AS rootBatchIds, started_at AS startedAt
     FROM (${OPEN_RECALLS}) ORDER BY started_at, recall_id`,
  );
}
