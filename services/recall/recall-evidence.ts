/**
 * The events a recall report rests on (docs/proofs.md): the recall's RecallInitiated, every
 * notice issued under it, the recipients' answers, its closure, and any retraction of one of
 * them (a correction is one more record, never an edit) — for the report's evidence bundle.
 */
import type { Store } from '../common/store/store.js';

export async function recallEventIds(store: Store, recallId: string): Promise<string[]> {
  const rows = await store.query<{ event_id: string }>(
    `WITH own AS (
       SELECT event_id FROM recalls WHERE recall_id = {recallId:String}
       UNION ALL SELECT event_id FROM recall_notices WHERE recall_id = {recallId:String}
       UNION ALL SELECT event_id FROM recall_closures WHERE recall_id = {recallId:String}
       UNION ALL SELECT event_id FROM notice_answers WHERE notice_id IN (
         SELECT notice_id FROM recall_notices WHERE recall_id = {recallId:String})
     )
     SELECT DISTINCT event_id FROM (
       SELECT event_id FROM own
       UNION ALL SELECT event_id FROM retractions WHERE target_event_id IN (SELECT event_id FROM own)
     ) ORDER BY event_id`,
    { recallId },
  );
  return rows.map((row) => row.event_id);
}
