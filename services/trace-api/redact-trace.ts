/**
 * Pure: the part of a trace a party that is not a regulator may see — the one-up/one-down rule.
 * A party sees the batches it handled (produced, shipped, received or inspected), the inputs of
 * the batches it made, the batches made from any batch it handled, and only the shipments it sent
 * or received — so it knows its suppliers and its customers, not theirs. Everything else is left
 * out, and the trace says it was redacted.
 */
import type { Involvement, Trace, TraceParty } from '../common/api/trace.js';
import type { AssembledTrace } from './assemble-trace.js';

/** True in `redacted` when something was left out under the one-up/one-down rule. */
export type RedactedTrace = Trace;

/** The batches of a trace the party handled itself. */
export function handledBy(trace: AssembledTrace, partyId: string): Set<string> {
  return new Set([
    ...trace.batches.filter((b) => b.producer === partyId).map((b) => b.batchId),
    ...trace.shipments.filter((s) => s.from === partyId || s.to === partyId).map((s) => s.batchId),
    ...trace.inspections.filter((i) => i.inspector === partyId).map((i) => i.batchId),
  ]);
}

function visibleParties(
  trace: AssembledTrace,
  kept: Omit<AssembledTrace, 'parties'>,
): TraceParty[] {
  const evidence = new Map<string, Set<Involvement>>();
  const add = (party: string | null, involvement: Involvement) => {
    if (party === null) return;
    evidence.set(party, (evidence.get(party) ?? new Set()).add(involvement));
  };
  const processed = new Set(kept.derivations.map((d) => d.output));
  for (const b of kept.batches)
    add(b.producer, processed.has(b.batchId) ? 'processor' : 'producer');
  for (const s of kept.shipments) {
    add(s.from, 'shipper');
    add(s.to, 'receiver');
  }
  for (const i of kept.inspections) add(i.inspector, 'inspector');
  return trace.parties
    .filter((party) => evidence.has(party.partyId))
    .map((party) => ({
      ...party,
      involvement: party.involvement.filter((inv) => evidence.get(party.partyId)?.has(inv)),
    }));
}

/** The party's view, or undefined when the root is not within one step of what it handled. */
export function redactTrace(trace: AssembledTrace, partyId: string): RedactedTrace | undefined {
  const own = handledBy(trace, partyId);
  const made = new Set(trace.batches.filter((b) => b.producer === partyId).map((b) => b.batchId));
  // One step up: what the party made its batches from. One step down: what was made from any
  // batch it handled. A batch it only held shows no inputs: those were someone else's step.
  const step = (d: AssembledTrace['derivations'][number]) => made.has(d.output) || own.has(d.input);
  const visible = new Set(own);
  for (const d of trace.derivations.filter(step)) {
    visible.add(d.input);
    visible.add(d.output);
  }
  if (!visible.has(trace.root)) return undefined;
  const kept = {
    ...trace,
    batches: trace.batches.filter((b) => visible.has(b.batchId)),
    derivations: trace.derivations.filter(step),
    shipments: trace.shipments.filter((s) => s.from === partyId || s.to === partyId),
    inspections: trace.inspections.filter((i) => own.has(i.batchId) || i.inspector === partyId),
  };
  const parties = visibleParties(trace, kept);
  const redacted =
    kept.batches.length < trace.batches.length ||
    kept.derivations.length < trace.derivations.length ||
    kept.shipments.length < trace.shipments.length ||
    kept.inspections.length < trace.inspections.length ||
    parties.length < trace.parties.length;
  return { ...kept, parties, redacted };
}
