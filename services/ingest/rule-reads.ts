/**
 * What the write rules read of the projection (batch claims, recall rules, recall warnings): the
 * counting productions and the state of recalls. The embedded platform hands ingest the serving
 * index's answers; a distributed ingest instance asks the store.
 */
import type { Store } from '../common/store/store.js';
import type { RecallReads } from '../common/trace/recall-reads.js';
import { createStoreRecallReads } from '../common/trace/store-recall-reads.js';
import { createStoreTraceReads } from '../common/trace/store-trace-reads.js';
import type { TraceReads } from '../common/trace/trace-reads.js';

export type RuleReads = Pick<TraceReads, 'batches'> & RecallReads;

export function storeRuleReads(store: Store): RuleReads {
  const trace = createStoreTraceReads(store);
  return { batches: (ids) => trace.batches(ids), ...createStoreRecallReads(store) };
}
