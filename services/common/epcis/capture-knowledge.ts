/**
 * What mapping an EPCIS event into native events needs to know beyond the event: registered
 * parties' identifiers, containment, the inputs of a transformation, earlier captured events.
 * Facts come from the store (fetched by ingest before the mapping) and from earlier events of
 * the same document (added as the document is mapped, in order), so the mapping itself is pure.
 */
import type { ContainmentFact, Content } from './containment.js';
import { contentsAt } from './containment.js';
import type { Line } from './placement.js';
import { partyIdentifierKey } from './party-identifiers.js';
import { partyIdOfPlatformUri } from './suyuan-uris.js';

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
  /** transformationID → the inputs of earlier captured events sharing it. */
  readonly transformationInputs: ReadonlyMap<string, readonly Line[]>;
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
  originals: new Map(),
  shippers: new Map(),
};

/** Store facts plus what the earlier events of the document added. */
export class CaptureKnowledge {
  private readonly containment: ContainmentFact[];
  private readonly inputs = new Map<string, Line[]>();
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

  transformationInputs(transformationId: string): readonly Line[] {
    return [
      ...(this.store.transformationInputs.get(transformationId) ?? []),
      ...(this.inputs.get(transformationId) ?? []),
    ];
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
    readonly transformation?: { readonly id: string; readonly inputs: readonly Line[] };
    readonly original?: { readonly epcisEventId: string } & CapturedOriginal;
    readonly shipment?: { readonly shipmentId: string; readonly shipper: string };
  }): void {
    if (facts.containment) this.containment.push(...facts.containment);
    if (facts.transformation) {
      const { id, inputs } = facts.transformation;
      this.inputs.set(id, [...(this.inputs.get(id) ?? []), ...inputs]);
    }
    if (facts.original) this.originals.set(facts.original.epcisEventId, facts.original);
    if (facts.shipment) this.shippers.set(facts.shipment.shipmentId, facts.shipment.shipper);
  }
}
