/**
 * The recall reads answered from the serving index, as the store's SQL answers them (the property
 * test of the serving index compares the two): what ingest checks before it writes a recall event
 * and warns of before it acknowledges a shipment, without waiting on a store statement.
 */
import type { RecallReads, RecalledBatch } from '../trace/recall-reads.js';
import type { LmdbServingIndex } from './lmdb-serving-index.js';
import { entries, recallIsLive, recallIsOpen } from './lmdb-scans.js';
import { byColumns } from './utf8-order.js';

const unique = (ids: readonly string[]) => [...new Set(ids)];

export function createLmdbRecallReads(index: LmdbServingIndex): RecallReads {
  const sync = {
    recallIdUsed: (recallId: string, exceptEventId: string) => {
      for (const { parts } of entries(index, 'recallInitiations', recallId)) {
        if (parts[1] !== exceptEventId) return true;
      }
      return false;
    },
    liveRecallIds: (recallIds: readonly string[]) =>
      new Set(unique(recallIds).filter((recallId) => recallIsLive(index, recallId))),
    noticeRecipients: (noticeIds: readonly string[]) => {
      const recipients = new Map<string, string>();
      for (const noticeId of unique(noticeIds)) {
        for (const { value } of entries(index, 'recallNotices', noticeId)) {
          recipients.set(noticeId, value);
        }
      }
      return recipients;
    },
    openRecallsNaming: (batchIds: readonly string[]): RecalledBatch[] => {
      const pairs = new Map<string, RecalledBatch>();
      for (const batchId of unique(batchIds)) {
        for (const { parts } of entries(index, 'recallBatches', batchId)) {
          const [, recallId = '', eventId = ''] = parts;
          if (!index.isRetracted(eventId) && recallIsOpen(index, recallId))
            pairs.set(`${batchId}\u0000${recallId}`, { batchId, recallId });
        }
      }
      return [...pairs.values()].sort(
        byColumns(
          (row) => row.batchId,
          (row) => row.recallId,
        ),
      );
    },
  };
  // Rejects, as the store's reads do, rather than throwing where the caller awaits a promise.
  const promised =
    <A extends unknown[], R>(read: (...args: A) => R) =>
    (...args: A): Promise<R> =>
      new Promise((resolve) => resolve(read(...args)));
  return {
    recallIdUsed: promised(sync.recallIdUsed),
    liveRecallIds: promised(sync.liveRecallIds),
    noticeRecipients: promised(sync.noticeRecipients),
    openRecallsNaming: promised(sync.openRecallsNaming),
  };
}
