/**
 * The unresolved links of a trace: identifiers that EPCIS events on it named but no trace can
 * place (class patterns, SSCCs of unknown content…). An EPCIS event is on a trace when a native
 * event it derived is, and it still stands (an error declaration takes its links back with its
 * meaning); the trace read model answers which (`TraceReads.unresolvedLinks`).
 */
import type { Trace } from '../../common/api/trace.js';
import type { TraceReads } from '../../common/trace/trace-reads.js';

/** Every native event id a trace (as the caller sees it) shows, each once. */
export function traceEventIds(trace: Omit<Trace, 'redacted'>): string[] {
  // Loops rather than spreads and flatMaps: a large trace shows thousands of events. A batch's
  // production is also the event of the derivations into it, so ids repeat.
  const ids = new Set<string>();
  for (const batch of trace.batches) if (batch.eventId !== null) ids.add(batch.eventId);
  for (const derivation of trace.derivations) ids.add(derivation.eventId);
  for (const shipment of trace.shipments) for (const id of shipment.eventIds) ids.add(id);
  for (const inspection of trace.inspections) ids.add(inspection.eventId);
  return [...ids];
}

/** The trace with its unresolved links, when it has any (the field is absent otherwise). */
export async function withUnresolvedLinks<T extends Omit<Trace, 'redacted'>>(
  trace: T,
  reads: Pick<TraceReads, 'unresolvedLinks'>,
): Promise<T> {
  const found = await reads.unresolvedLinks(traceEventIds(trace));
  return found.length === 0 ? trace : { ...trace, unresolvedLinks: found };
}
