/**
 * The demo chain told as a story: a clock in Beijing time that only moves forward, batches whose
 * units are remembered, shipments received whole. Each step writes its event with the one chain
 * builder (tools/chain/chain-builder.ts), with ids from stable names, so loading the demo twice
 * changes nothing.
 */
import {
  createChainBuilder,
  gs1,
  stableUuid,
  toSubmission,
  type ChainBuilder,
  type ChainEvent,
  type ChainLocation,
  type ChainParty,
  type EventOf,
  type InspectionSpec,
  type Posted,
} from '../chain/chain-builder.js';

export type DemoParty = ChainParty;
export type DemoLocation = ChainLocation;

/** An event as posted to `POST /v1/events`; every demo event has a site and an operator. */
export type DemoEvent = Posted<ChainEvent> & {
  readonly location: DemoLocation;
  readonly operator: string;
};

/** An event with the party that posts it. */
export interface ActedEvent {
  readonly party: string;
  readonly event: DemoEvent;
}

export interface DairyChain {
  readonly parties: readonly DemoParty[];
  /** Every event in a valid global order: strictly increasing event times across all parties. */
  readonly timeline: readonly ActedEvent[];
  /** The same events per acting party, each list in time order. */
  readonly eventsByParty: ReadonlyMap<string, readonly DemoEvent[]>;
  /** Every batch id, in production order. */
  readonly batchIds: readonly string[];
  readonly regulatorPartyId: string;
  readonly interesting: {
    /** A raw-milk batch whose powder went into the failing formula batch. */
    readonly rawMilkBatchId: string;
    /** A powder batch used by both formula brands. */
    readonly powderBatchId: string;
    /** The formula batch that failed the supervisory sampling. */
    readonly failingFormulaBatchId: string;
  };
}

export interface Site extends DemoParty {
  readonly prefix: string;
  readonly operator: string;
  readonly location: DemoLocation;
}

export interface ProductDef {
  readonly item: string;
  readonly name: string;
  readonly unit: string;
}

/** Shipment or input lines as `"batchId=quantity batchId=quantity"`; units are the batches' own. */
export type LineSpec = string;

/** Day 0 is Monday 2026-10-26; times are Beijing time (UTC+8). */
function beijingTime(day: number, hhmm: string): number {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return Date.UTC(2026, 9, 26 + day, hours - 8, minutes);
}

/** A document's number after its shipment's id: BOL-QQ-20261030-01 for SH-QQ-20261030-01. */
const documentNumber = (kind: string, shipmentId: string) =>
  `${kind}-${shipmentId.replace(/^(SH|TK)-/, '')}`;

/** Consecutive events without an explicit time are one minute apart. */
const STEP_MS = 60_000;

export class Story {
  readonly timeline: ActedEvent[] = [];
  private readonly units = new Map<string, string>();
  private readonly shipments = new Map<string, EventOf<'BatchShipped'>>();
  private readonly builder: ChainBuilder;
  private clock = 0;

  constructor(private readonly sites: ReadonlyMap<string, Site>) {
    this.builder = createChainBuilder(sites, (key) => {
      const eventTime = new Date(this.clock).toISOString().replace('.000Z', 'Z');
      this.clock += STEP_MS;
      // Ingest stamps recordedAt; the demo posts its events, so it is never sent.
      return { eventId: stableUuid(key), eventTime, recordedAt: eventTime };
    });
  }

  at(day: number, hhmm: string): this {
    const time = beijingTime(day, hhmm);
    if (time < this.clock) throw new Error(`demo time goes backwards at day ${day} ${hhmm}`);
    this.clock = time;
    return this;
  }

  produce(party: string, batchId: string, def: ProductDef, quantity: number, inputs = ''): this {
    this.units.set(batchId, def.unit);
    const product = { id: gs1(`${this.site(party).prefix}${def.item}`), name: def.name };
    const lines = this.lines(inputs);
    return this.push(this.builder.produce(party, batchId, product, quantity, def.unit, lines));
  }

  /** A shipment with its bill of lading and invoice, numbered after the shipment (SH-… → BOL-…). */
  ship(party: string, shipmentId: string, to: string, lines: LineSpec): this {
    this.site(party);
    const documents = [
      { type: 'BILL_OF_LADING', number: documentNumber('BOL', shipmentId) },
      { type: 'INVOICE', number: documentNumber('INV', shipmentId) },
    ] as const;
    const shipment = this.builder.ship(party, shipmentId, to, this.lines(lines), documents);
    this.shipments.set(shipmentId, shipment);
    return this.push(shipment);
  }

  /** The receipt of a whole shipment: its bill of lading and the receiver's goods receipt. */
  receive(shipmentId: string): this {
    const shipment = this.shipments.get(shipmentId);
    if (!shipment) throw new Error(`demo receipt of unknown shipment ${shipmentId}`);
    this.site(shipment.to);
    const documents = [
      { type: 'BILL_OF_LADING', number: documentNumber('BOL', shipmentId) },
      { type: 'RECEIVING_ADVICE', number: documentNumber('GR', shipmentId) },
    ] as const;
    return this.push(this.builder.receive(shipment, documents));
  }

  inspect(party: string, batchId: string, spec: InspectionSpec, siteOf = party): this {
    this.site(party);
    this.site(siteOf);
    return this.push(this.builder.inspect(party, batchId, spec, siteOf));
  }

  private lines(spec: LineSpec) {
    return spec
      .split(' ')
      .filter(Boolean)
      .map((line) => {
        const [batchId = '', quantity = ''] = line.split('=');
        return { batchId, quantity: Number(quantity), unit: this.unitOf(batchId) };
      });
  }

  private unitOf(batchId: string): string {
    const unit = this.units.get(batchId);
    if (!unit) throw new Error(`demo batch ${batchId} is used before it is produced`);
    return unit;
  }

  private site(partyId: string): Site {
    const site = this.sites.get(partyId);
    if (!site) throw new Error(`demo party ${partyId} is not defined`);
    return site;
  }

  private push(event: ChainEvent): this {
    // Every demo party has a site (checked above), so its events have a location and operator.
    this.timeline.push({ party: event.party, event: toSubmission(event) as DemoEvent });
    return this;
  }
}
