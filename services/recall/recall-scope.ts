/**
 * The scope of a recall as of now: the downstream closure of its root batches (the same walk as a
 * trace, level by level with key lookups) and the notices it calls for. Used by the recall service
 * and by the mock recall (演练), so both always agree.
 */
import type { DerivationRow, TraceReads } from '../common/trace/trace-reads.js';
import { derivationEdges, readsForOneWalk } from '../common/trace/trace-reads.js';
import { walkGraph } from '../common/trace/walk.js';
import { planNotices, type PlannedNotice, type ScopeRows } from './plan-notices.js';

/**
 * A safety bound, not a cut a user meets: a recall that reaches more batches says so. A recall
 * has no depth bound: whatever was made from an affected batch, however far down, is affected.
 */
export const RECALL_SCOPE_MAX_BATCHES = 200_000;

/** What was done with a recall's affected batches: the rows notices and reach are made from. */
export interface ScopeFacts extends ScopeRows {
  /** The derivation edges among the affected batches. */
  readonly derivations: readonly DerivationRow[];
}

export interface RecallScope extends ScopeFacts {
  readonly notices: PlannedNotice[];
  /** True when the closure hit RECALL_SCOPE_MAX_BATCHES and is incomplete. */
  readonly truncated: boolean;
}

export async function computeRecallScope(
  allReads: TraceReads,
  rootBatchIds: readonly string[],
): Promise<RecallScope> {
  const reads = readsForOneWalk(allReads);
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
  const derivations = walk.edges.map((edge) => edge.derivation);
  const rows = { affected, batches, derivations, shipments, receipts };
  return { ...rows, notices: planNotices(rows), truncated: walk.truncated };
}

/**
 * The rows of batches already known to be affected (a recorded recall's), read without walking:
 * what the parties did with them, and the derivations among them.
 */
export async function findScopeFacts(
  allReads: TraceReads,
  affected: ReadonlySet<string>,
): Promise<ScopeFacts> {
  const reads = readsForOneWalk(allReads);
  const ids = [...affected];
  const [batches, shipments, receipts, edges] = await Promise.all([
    reads.batches(ids),
    reads.shipments(ids),
    reads.receipts(ids),
    reads.derivations('downstream', ids),
  ]);
  const derivations = edges.filter((edge) => affected.has(edge.output));
  return { affected, batches, derivations, shipments, receipts };
}
