/**
 * What a write to the serving index can change in the answers read from it: the batches its rows
 * name, or everything. A reader that keeps answers (the trace cache) drops those of the batches
 * named, and all of them for a write of a table whose rows reach answers beyond the batches they
 * name: a retraction, a recall's opening or closing, EPCIS links.
 */
import type { ServingKey, ServingTable } from './serving-rows.js';

export type ServingChange = ReadonlySet<string> | 'all';

/** For each table, which parts of its key are batch ids, or `all` when a row reaches further. */
const BATCH_PARTS: Record<ServingTable, readonly number[] | 'all'> = {
  productions: [0],
  derivationsByInput: [0, 1],
  derivationsByOutput: [0, 1],
  shipments: [0],
  receipts: [0],
  inspections: [0],
  recallBatches: [0],
  batchEvents: [0],
  // Whether a recall is live decides the flag of every batch it names.
  recallInitiations: 'all',
  recallClosures: 'all',
  // A retraction takes back an event whatever it named.
  retractions: 'all',
  // Links of EPCIS events are read by the native events they stood for, not by batch.
  epcisDerivations: 'all',
  epcisDeclarations: 'all',
  epcisUnresolved: 'all',
  // Read by notice, by event and by the index itself, never by a trace.
  recallNotices: [],
  events: [],
  eventIndex: [],
  positions: [],
  meta: [],
};

/**
 * The change a write makes. A production of a batch can change which of the batch's productions
 * counts (the earliest recorded that stands), and so whether the derivations of every other
 * production of it count: `inputsOf` gives the inputs any production of a batch names, as the
 * index holds them after the write, and they are named too.
 */
export function changeOf(
  puts: ReadonlyArray<readonly [ServingTable, ServingKey | string, unknown]>,
  inputsOf: (batchId: string) => Iterable<string>,
): ServingChange {
  const batches = new Set<string>();
  for (const [table, key] of puts) {
    const parts = BATCH_PARTS[table];
    if (parts === 'all') return 'all';
    for (const part of parts) batches.add(String((key as ServingKey)[part]));
    if (table === 'productions') {
      for (const input of inputsOf(String((key as ServingKey)[0]))) batches.add(input);
    }
  }
  return batches;
}
