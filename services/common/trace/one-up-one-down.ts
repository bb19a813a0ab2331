/**
 * Pure: the one-up/one-down rule (README, Access), the part of a chain that a party that is not a
 * regulator may see. A party sees the batches it handled (produced, shipped, received or
 * inspected), the inputs of the batches it made, the batches made from any batch it handled, and
 * only the shipments it sent or received — so it knows its suppliers and its customers, not
 * theirs. Traces and recalls both answer through this one rule, over the rows of the trace read
 * model or anything shaped like them.
 */
import type { Involvement } from '../api/trace.js';

export interface BatchFact {
  readonly batchId: string;
  /** Null for a batch named as an input but never produced. */
  readonly producer: string | null;
}
export interface DerivationFact {
  readonly input: string;
  readonly output: string;
}
/** Custody of a batch moving from one party to another (a shipment, or a receipt alone). */
export interface ShipmentFact {
  readonly batchId: string;
  readonly from: string;
  readonly to: string;
}
export interface InspectionFact {
  readonly batchId: string;
  readonly inspector: string;
}

export interface ChainFacts<
  B extends BatchFact,
  D extends DerivationFact,
  S extends ShipmentFact,
  I extends InspectionFact,
> {
  readonly batches: readonly B[];
  readonly derivations: readonly D[];
  readonly shipments: readonly S[];
  readonly inspections: readonly I[];
}

/** The facts a party may see, the batches they name, and the parties they show it. */
export interface PartyShare<
  B extends BatchFact,
  D extends DerivationFact,
  S extends ShipmentFact,
  I extends InspectionFact,
> {
  readonly batches: B[];
  readonly derivations: D[];
  readonly shipments: S[];
  readonly inspections: I[];
  /** Every batch id the party may see, those without a production fact included. */
  readonly batchIds: ReadonlySet<string>;
  /** The parties the kept facts show, with the evidence for each. */
  readonly parties: ReadonlyMap<string, ReadonlySet<Involvement>>;
  /** True when some fact was left out. */
  readonly redacted: boolean;
}

export function oneUpOneDown<
  B extends BatchFact,
  D extends DerivationFact,
  S extends ShipmentFact,
  I extends InspectionFact,
>(facts: ChainFacts<B, D, S, I>, partyId: string): PartyShare<B, D, S, I> {
  const own = new Set([
    ...facts.batches.filter((b) => b.producer === partyId).map((b) => b.batchId),
    ...facts.shipments.filter((s) => s.from === partyId || s.to === partyId).map((s) => s.batchId),
    ...facts.inspections.filter((i) => i.inspector === partyId).map((i) => i.batchId),
  ]);
  const made = new Set(facts.batches.filter((b) => b.producer === partyId).map((b) => b.batchId));
  // One step up: what the party made its batches from. One step down: what was made from any
  // batch it handled. A batch it only held shows no inputs: those were someone else's step.
  const step = (d: DerivationFact) => made.has(d.output) || own.has(d.input);
  const batchIds = new Set(own);
  for (const d of facts.derivations.filter(step)) {
    batchIds.add(d.input);
    batchIds.add(d.output);
  }
  const kept = {
    batches: facts.batches.filter((b) => batchIds.has(b.batchId)),
    derivations: facts.derivations.filter(step),
    shipments: facts.shipments.filter((s) => s.from === partyId || s.to === partyId),
    inspections: facts.inspections.filter((i) => own.has(i.batchId) || i.inspector === partyId),
  };
  const redacted =
    kept.batches.length < facts.batches.length ||
    kept.derivations.length < facts.derivations.length ||
    kept.shipments.length < facts.shipments.length ||
    kept.inspections.length < facts.inspections.length;
  return { ...kept, batchIds, parties: partiesShown(kept), redacted };
}

function partiesShown(kept: ChainFacts<BatchFact, DerivationFact, ShipmentFact, InspectionFact>) {
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
  return evidence;
}
