/**
 * A batch id names one batch, produced once: the BatchProduced that counts is the earliest
 * recorded that is not retracted (common/store/projection-rules.ts), and ingest refuses any other
 * production of an id that has one — another party's (squatting) and the producer's own, whose
 * correction is a retraction of the first followed by a new BatchProduced, possibly in the same
 * request. The same event again is a duplicate, settled later.
 *
 * The check reads the projection (through the trace read model: the serving index in embedded
 * mode), which follows the log: two claims posted at the same moment can both pass. The read side then follows the one that counts, so every answer stays the same.
 */
import { SuyuanError } from '../common/errors.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import type { SubmittedEvent } from './parse-submission.js';

interface Item {
  readonly index: number;
  readonly event: SubmittedEvent;
}

/** Names the id, never who holds it: the refusal says only that the id is taken. */
function taken(item: Item, batchId: string, why: string): SuyuanError {
  const message = `batch ${batchId} ${why}; a batch id names one batch, and its producer corrects it by retracting that BatchProduced`;
  return new SuyuanError('conflict', `events[${item.index}].batchId: ${message}`, {
    details: [{ index: item.index, eventId: item.event.eventId, path: 'batchId', message }],
  });
}

export async function checkBatchClaims(
  reads: Pick<TraceReads, 'batches'>,
  items: readonly Item[],
): Promise<void> {
  const productions = items.flatMap((item) =>
    item.event.eventType === 'BatchProduced' ? [{ item, event: item.event }] : [],
  );
  if (productions.length === 0) return;
  // A production this request retracts no longer counts: that is how a producer corrects one,
  // whether the production is stored or earlier in the request (an EPCIS document may produce
  // a batch and, in a later event, produce it again with more inputs).
  const retractedHere = new Set(
    items.flatMap(({ event }) =>
      event.eventType === 'EventRetracted' ? [event.targetEventId] : [],
    ),
  );
  const inRequest = new Map<string, string>();
  for (const { item, event } of productions) {
    const earlier = inRequest.get(event.batchId);
    if (earlier !== undefined && earlier !== event.eventId && !retractedHere.has(earlier))
      throw taken(item, event.batchId, 'is produced twice in this request');
    inRequest.set(event.batchId, event.eventId);
  }
  const stored = await reads.batches([...inRequest.keys()]);
  const counting = new Map(
    stored.filter((row) => !retractedHere.has(row.eventId)).map((row) => [row.batchId, row]),
  );
  for (const { item, event } of productions) {
    const existing = counting.get(event.batchId);
    if (existing && existing.eventId !== event.eventId)
      throw taken(item, event.batchId, 'was produced already');
  }
}
