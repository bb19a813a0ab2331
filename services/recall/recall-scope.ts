/**
 * The scope of a recall as of now: the downstream closure of its root batches (the same walk as a
 * trace, level by level with key lookups) and the notices it calls for. Used by the recall service
 * and by the mock recall (演练), so both always agree.
 */
import type { TraceReads } from '../common/trace/trace-reads.js';
import { derivationEdges } from '../common/trace/trace-reads.js';
import { walkGraph } from '../common/trace/walk.js';
import { planNotices, type PlannedNotice, type ScopeRows } from './plan-notices.js';

/**
 * A safety bound, not a cut a user meets: a recall that reaches more batches says so. A recall
 * has no depth bound: whatever was made from an affected batch, however far down, is affected.
 */
export const RECALL_SCOPE_MAX_BATCHES = 200_000;

export interface RecallScope extends ScopeRows {
  readonly notices: PlannedNotice[];
  /** True when the closure hit RECALL_SCOPE_MAX_BATCHES and is incomplete. */
  readonly truncated: boolean;
}

export async function computeRecallScope(
  reads: TraceReads,
  rootBatchIds: readonly string[],
): Promise<RecallScope> {
  const walk = await walkGraph({
    roots: rootBatchIds,
    direction: 'downstream',
    maxDepth: Infinity,
    maxNodes: RECALL_SCOPE_MAX_BATCHES,
    neighbours: (frontier) => derivationEdges(reads, 'downstream', frontier),
  });
  const affected = new Set(walk.depthOf.keys());
  const ids = [...affected];
  const [batches, shipments, receipts] = await Promise.all([
    reads.batches(ids),
    reads.shipments(ids),
    reads.receipts(ids),
  ]);
  const rows = { affected, batches, shipments, receipts };
  return { ...rows, notices: planNotices(rows), truncated: walk.truncated };
}
