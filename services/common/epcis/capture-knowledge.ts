/**
 * What mapping an EPCIS event into native events needs to know beyond the event: registered
 * parties' identifiers, containment, the inputs of a transformation, earlier captured events.
 * Facts come from the store (fetched by ingest before the mapping) and from earlier events of
 * the same document (added as the document is mapped, in order), so the mapping itself is pure.
 */
import type { UnstampedEvent } from '../events/unstamped-event.js';
import type { ContainmentFact, Content } from './containment.js';
import { contentsAt } from './containment.js';
import type { Line } from './placement.js';
import { partyIdentifierKey } from './party-identifiers.js';
import { partyIdOfPlatformUri } from './suyuan-uris.js';

/** An output of a transformation as its production stands now (the BatchProduced that counts). */
export type ProducedOutput = Pick<
  Extract<UnstampedEvent, { eventType: 'BatchProduced' }>,
  | 'batchId'
  | 'eventId'
  | 'party'
  | 'eventTime'
  | 'operator'
  | 'location'
  | 'product'
  | 'quantity'
  | 'unit'
  | 'inputs'
>;

/** What one event of a transformation makes known to the later ones sharing its id. */
export interface TransformationFacts {
  readonly id: string;
  readonly epcisEventId: string;
  /** The inputs the event names. */
  readonly inputs: readonly Line[];
  /** Outputs whose production the event set (produced, or produced again with more inputs). */
  readonly outputs: readonly ProducedOutput[];
  /** Outputs whose production the event retracted, leaving none (an error declaration's). */
  readonly withdrawn?: readonly string[];
}

/** A captured EPCIS event the document refers to (an error declaration's original). */
export interface CapturedOriginal {
  readonly party: string;
  readonly derivedEventIds: readonly string[];
}

/** What the store knows, as ingest fetched it for one document. */
export interface StoreFacts {
  /** Identifier key (party-identifiers.ts) → registered party id. */
  readonly partyByIdentifier: ReadonlyMap<string, string>;
  /** Party ids named as `urn:suyuan:party:…` that are registered. */
  readonly registeredParties: ReadonlySet<string>;
  readonly containment: readonly ContainmentFact[];
  /** transformationID → EPCIS eventID → the inputs that captured event named. */
  readonly transformationInputs: ReadonlyMap<string, ReadonlyMap<string, readonly Line[]>>;
  /** transformationID → its outputs whose production stands (not retracted). */
  readonly transformationOutputs: ReadonlyMap<string, readonly ProducedOutput[]>;
  /** batchId → the production that counts, for the batches the document's events name. */
  readonly productions: ReadonlyMap<string, ProducedOutput>;
  /** EPCIS eventID → the captured event. */
  readonly originals: ReadonlyMap<string, CapturedOriginal>;
  /** shipmentId → the party that shipped it. */
  readonly shippers: ReadonlyMap<string, string>;
}

export const NO_STORE_FACTS: StoreFacts = {
  partyByIdentifier: new Map(),
  registeredParties: new Set(),
  containment: [],
  transformationInputs: new Map(),
  transformationOutputs: new Map(),
  productions: new Map(),
  originals: new Map(),
  shippers: new Map(),
};

/** Store facts plus what the earlier events of the document added. */
export class CaptureKnowledge {
  private readonly containment: ContainmentFact[];
  private readonly inputs = new Map<string, Map<string, readonly Line[]>>();
  /** transformationID → batchId → its production now, or null once withdrawn. */
  private readonly outputs = new Map<string, Map<string, ProducedOutput | null>>();
  /** EPCIS events of the document whose error was declared: their inputs no longer count. */
  private readonly declared = new Set<string>();
  /** batchId → its production as the document's events left it, or null once retracted. */
  private readonly productions = new Map<string, ProducedOutput | null>();
  private readonly originals = new Map<string, CapturedOriginal>();
  private readonly shippers = new Map<string, string>();

  constructor(
    private readonly store: StoreFacts,
    /** Product names the document's master data gives, by GTIN-14. */
    private readonly productNames: ReadonlyMap<string, string> = new Map(),
  ) {
    this.containment = [...store.containment];
  }

  /** The registered party an EPCIS party or location identifier names. */
  partyOf(uri: string): string | undefined {
    const platformId = partyIdOfPlatformUri(uri);
    if (platformId !== undefined) {
      return this.store.registeredParties.has(platformId) ? platformId : undefined;
    }
    return this.store.partyByIdentifier.get(partyIdentifierKey(uri));
  }

  contentsAt(container: string, time: string): readonly Content[] {
    return contentsAt(container, time, this.containment);
  }

  /** The inputs of a transformation so far, by the events that named them, in order. */
  private inputsByEvent(transformationId: string): Map<string, readonly Line[]> {
    const byEvent = new Map(this.store.transformationInputs.get(transformationId) ?? []);
    for (const [epcisEventId, lines] of this.inputs.get(transformationId) ?? []) {
      byEvent.set(epcisEventId, lines);
    }
    for (const epcisEventId of this.declared) byEvent.delete(epcisEventId);
    return byEvent;
  }

  /** Every input the transformation's events named so far (but `except`'s), in order. */
  transformationInputs(transformationId: string, except?: string): readonly Line[] {
    return [...this.inputsByEvent(transformationId)]
      .filter(([epcisEventId]) => epcisEventId !== except)
      .flatMap(([, lines]) => lines);
  }

  /** The inputs one event of the transformation named. */
  transformationInputsOf(transformationId: string, epcisEventId: string): readonly Line[] {
    return this.inputsByEvent(transformationId).get(epcisEventId) ?? [];
  }

  /** The outputs of a transformation so far, each as its counting production now stands. */
  transformationOutputs(transformationId: string): readonly ProducedOutput[] {
    const latest = new Map<string, ProducedOutput | null>(
      (this.store.transformationOutputs.get(transformationId) ?? []).map((o) => [o.batchId, o]),
    );
    for (const [batchId, output] of this.outputs.get(transformationId) ?? []) {
      latest.set(batchId, output);
    }
    return [...latest.values()].filter((output) => output !== null);
  }

  /** The production of a batch that counts now, if it has one. */
  production(batchId: string): ProducedOutput | undefined {
    const local = this.productions.get(batchId);
    return local === null ? undefined : (local ?? this.store.productions.get(batchId));
  }

  original(epcisEventId: string): CapturedOriginal | undefined {
    return this.originals.get(epcisEventId) ?? this.store.originals.get(epcisEventId);
  }

  shipperOf(shipmentId: string): string | undefined {
    return this.shippers.get(shipmentId) ?? this.store.shippers.get(shipmentId);
  }

  productName(gtin: string): string | undefined {
    return this.productNames.get(gtin);
  }

  /** Records what an accepted event of the document makes known to the events after it. */
  learn(facts: {
    readonly containment?: readonly ContainmentFact[];
    readonly transformation?: TransformationFacts;
    /** An EPCIS event whose error this one declared. */
    readonly declared?: string;
    readonly original?: { readonly epcisEventId: string } & CapturedOriginal;
    readonly shipment?: { readonly shipmentId: string; readonly shipper: string };
    /** Productions the event made, and the events it retracted. */
    readonly productions?: {
      readonly produced: readonly ProducedOutput[];
      readonly retracted: readonly string[];
    };
  }): void {
    if (facts.containment) this.containment.push(...facts.containment);
    if (facts.declared !== undefined) this.declared.add(facts.declared);
    if (facts.transformation) this.learnTransformation(facts.transformation);
    if (facts.original) this.originals.set(facts.original.epcisEventId, facts.original);
    if (facts.shipment) this.shippers.set(facts.shipment.shipmentId, facts.shipment.shipper);
    if (facts.productions) this.learnProductions(facts.productions);
  }

  private learnProductions({
    produced,
    retracted,
  }: {
    readonly produced: readonly ProducedOutput[];
    readonly retracted: readonly string[];
  }) {
    const gone = new Set(retracted);
    const batchIds = [...new Set([...this.productions.keys(), ...this.store.productions.keys()])];
    for (const batchId of batchIds) {
      const production = this.production(batchId);
      if (production && gone.has(production.eventId)) this.productions.set(batchId, null);
    }
    for (const production of produced) this.productions.set(production.batchId, production);
  }

  private learnTransformation({
    id,
    epcisEventId,
    inputs,
    outputs,
    withdrawn,
  }: TransformationFacts) {
    if (inputs.length > 0) {
      const byEvent = this.inputs.get(id) ?? new Map<string, readonly Line[]>();
      byEvent.set(epcisEventId, inputs);
      this.inputs.set(id, byEvent);
    }
    const known = this.outputs.get(id) ?? new Map<string, ProducedOutput | null>();
    for (const batchId of withdrawn ?? []) known.set(batchId, null);
    for (const output of outputs) known.set(output.batchId, output);
    this.outputs.set(id, known);
  }
}
