/**
 * The recall reads over the store: ClickHouse SQL on the projection's recall tables. The batches
 * of a request's shipment lines (up to a million) are read in parts (query-in-chunks.ts); the
 * recall and notice ids are a request's events' own, at most 1000.
 */
import { byColumns } from '../serving/utf8-order.js';
import { LIVE_RECALLS, NOT_RETRACTED, OPEN_RECALLS } from '../store/projection-rules.js';
import { queryInChunks } from '../store/query-in-chunks.js';
import type { Store } from '../store/store.js';
import type { RecallReads, RecalledBatch } from './recall-reads.js';

export function createStoreRecallReads(store: Store): RecallReads {
  return {
    async recallIdUsed(recallId, exceptEventId) {
      const [row] = await store.query<{ n: number }>(
        `SELECT count() AS n FROM recalls FINAL
         WHERE recall_id = {id:String} AND event_id != {eventId:String}`,
        { id: recallId, eventId: exceptEventId },
      );
      return (row?.n ?? 0) > 0;
    },
    async liveRecallIds(recallIds) {
      if (recallIds.length === 0) return new Set();
      const rows = await store.query<{ recallId: string }>(
        `SELECT recall_id AS recallId FROM (${LIVE_RECALLS})
         WHERE recall_id IN {ids:Array(String)}`,
        { ids: [...new Set(recallIds)] },
      );
      return new Set(rows.map((row) => row.recallId));
    },
    async noticeRecipients(noticeIds) {
      if (noticeIds.length === 0) return new Map();
      const rows = await store.query<{ noticeId: string; recipient: string }>(
        `SELECT DISTINCT notice_id AS noticeId, recipient FROM recall_notices FINAL
         WHERE notice_id IN {ids:Array(String)}`,
        { ids: [...new Set(noticeIds)] },
      );
      return new Map(rows.map((row) => [row.noticeId, row.recipient]));
    },
    async openRecallsNaming(batchIds) {
      if (batchIds.length === 0) return [];
      return queryInChunks<RecalledBatch>(
        store,
        `SELECT DISTINCT batch_id AS batchId, recall_id AS recallId FROM recall_batches FINAL
         WHERE batch_id IN {ids:Array(String)} AND ${NOT_RETRACTED}
           AND recall_id IN (SELECT recall_id FROM (${OPEN_RECALLS}))
         ORDER BY batchId, recallId`,
        'ids',
        batchIds,
        {
          order: byColumns(
            (row) => row.batchId,
            (row) => row.recallId,
          ),
        },
      );
    },
  };
}
