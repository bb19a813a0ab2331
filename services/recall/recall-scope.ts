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
  type DerivationRow,
} from '../trace-api/trace-queries.js';
import { planNotices, type PlannedNotice, type ScopeRows } from './plan-notices.js';

/** A safety bound, not a cut a user meets: a recall that reaches more batches says so. */
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

async function downstreamClosure(store: Store, roots: readonly string[]) {
  const affected = new Set(roots);
  const derivations: DerivationRow[] = [];
  let frontier = [...affected];
  while (frontier.length > 0 && affected.size < RECALL_SCOPE_MAX_BATCHES) {
    const edges = await findDerivations(store, 'downstream', frontier);
    derivations.push(...edges);
    frontier = [...new Set(edges.map((edge) => edge.output))].filter((id) => !affected.has(id));
    for (const id of frontier) affected.add(id);
  }
  return { affected, derivations, truncated: frontier.length > 0 };
}

export async function computeRecallScope(
  store: Store,
  rootBatchIds: readonly string[],
): Promise<RecallScope> {
  const { affected, derivations, truncated } = await downstreamClosure(store, rootBatchIds);
  const ids = [...affected];
  const [batches, shipments, receipts] = await Promise.all([
    findBatches(store, ids),
    findShipments(store, ids),
    findReceipts(store, ids),
  ]);
  const rows = { affected, batches, derivations, shipments, receipts };
  return { ...rows, notices: planNotices(rows), truncated };
}

/**
 * The rows of batches already known to be affected (a recorded recall's), read without walking:
 * what the parties did with them, and the derivations among them.
 */
export async function findScopeFacts(
  store: Store,
  affected: ReadonlySet<string>,
): Promise<ScopeFacts> {
  const ids = [...affected];
  const [batches, shipments, receipts, edges] = await Promise.all([
    findBatches(store, ids),
    findShipments(store, ids),
    findReceipts(store, ids),
    findDerivations(store, 'downstream', ids),
  ]);
  const derivations = edges.filter((edge) => affected.has(edge.output));
  return { affected, batches, derivations, shipments, receipts };
}
