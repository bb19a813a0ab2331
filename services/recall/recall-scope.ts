/**
 * The scope of a recall as of now: the downstream closure of its root batches (walked level by
 * level with key lookups, like a trace) and the notices it calls for. Used by the recall service
 * and by the mock recall (演练), so both always agree.
 */
import type { Store } from '../common/store/store.js';
import {
  findBatches,
  findDerivations,
  findReceipts,
  findShipments,
} from '../common/trace/store-trace-reads.js';
import { planNotices, type PlannedNotice, type ScopeRows } from './plan-notices.js';

/** A safety bound, not a cut a user meets: a recall that reaches more batches says so. */
export const RECALL_SCOPE_MAX_BATCHES = 200_000;

export interface RecallScope extends ScopeRows {
  readonly notices: PlannedNotice[];
  /** True when the closure hit RECALL_SCOPE_MAX_BATCHES and is incomplete. */
  readonly truncated: boolean;
}

async function downstreamClosure(store: Store, roots: readonly string[]) {
  const affected = new Set(roots);
  let frontier = [...affected];
  while (frontier.length > 0 && affected.size < RECALL_SCOPE_MAX_BATCHES) {
    const edges = await findDerivations(store, 'downstream', frontier);
    frontier = [...new Set(edges.map((edge) => edge.output))].filter((id) => !affected.has(id));
    for (const id of frontier) affected.add(id);
  }
  return { affected, truncated: frontier.length > 0 };
}

export async function computeRecallScope(
  store: Store,
  rootBatchIds: readonly string[],
): Promise<RecallScope> {
  const { affected, truncated } = await downstreamClosure(store, rootBatchIds);
  const ids = [...affected];
  const [batches, shipments, receipts] = await Promise.all([
    findBatches(store, ids),
    findShipments(store, ids),
    findReceipts(store, ids),
  ]);
  const rows = { affected, batches, shipments, receipts };
  return { ...rows, notices: planNotices(rows), truncated };
}
