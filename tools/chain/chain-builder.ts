/**
 * The machinery of the demo chain: event types as posted, and a builder that keeps the clock,
 * the units and the shipments so the scenario in dairy-chain.ts reads as a story.
 */
import { stableUuid } from '../../services/common/stable-id.js';
import type {
  BatchProduced,
  BatchReceived,
  BatchShipped,
  InspectionRecorded,
} from '../../services/common/events/event-types.generated.js';

export type Role = 'submitter' | 'regulator' | 'admin';

export interface DemoParty {
  readonly partyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

export interface DemoLocation {
  readonly gln: string;
  readonly siteId: string;
  readonly name: string;
}

type EnvelopeField = 'eventId' | 'eventTime' | 'recordedAt' | 'party' | 'location' | 'operator';
type Fields<T> = Omit<T, EnvelopeField>;

interface Envelope {
  readonly eventId: string;
  readonly eventTime: string;
  readonly location: DemoLocation;
  readonly operator: string;
}

/** An event as posted to `POST /v1/events` (the acting party comes from the API key). */
export type DemoEvent = Envelope &
  (
    | ({ readonly eventType: 'BatchProduced' } & Fields<BatchProduced>)
    | ({ readonly eventType: 'BatchShipped' } & Fields<BatchShipped>)
    | ({ readonly eventType: 'BatchReceived' } & Fields<BatchReceived>)
    | ({ readonly eventType: 'InspectionRecorded' } & Fields<InspectionRecorded>)
  );

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

/** Demo event ids derive from stable names, so loading the demo twice changes nothing. */
export { stableUuid };

/** A GS1 number with its check digit appended. */
export const gs1 = (digits: string): string => `${digits}${gs1CheckDigit(digits)}`;

/** The GS1 mod-10 check digit of the digits before it (GTIN-13, GLN). */
export function gs1CheckDigit(digits: string): number {
  const sum = [...digits]
    .reverse()
    .reduce((acc, digit, i) => acc + Number(digit) * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
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

/** [item, value, limit, unit] */
export type Finding = readonly [string, string, string, string];

export interface InspectionSpec {
  readonly id: string;
  readonly kind: InspectionRecorded['kind'];
  readonly result: InspectionRecorded['result'];
  readonly standard: string;
  readonly report: string;
  readonly findings: readonly Finding[];
}

/** Shipment or input lines as `"batchId=quantity batchId=quantity"`; units are the batches' own. */
export type LineSpec = string;

export interface Shipment {
  readonly from: string;
  readonly to: string;
  readonly lines: Array<{ batchId: string; quantity: number; unit: string }>;
}

/** Day 0 is Monday 2026-10-26; times are Beijing time (UTC+8). */
function beijingTime(day: number, hhmm: string): number {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return Date.UTC(2026, 9, 26 + day, hours - 8, minutes);
}

/** Consecutive events without an explicit time are one minute apart. */
const STEP_MS = 60_000;

export class ChainBuilder {
  readonly timeline: ActedEvent[] = [];
  private readonly units = new Map<string, string>();
  private readonly shipments = new Map<string, Shipment>();
  private clock = 0;

  constructor(private readonly sites: ReadonlyMap<string, Site>) {}

  at(day: number, hhmm: string): this {
    const time = beijingTime(day, hhmm);
    if (time < this.clock) throw new Error(`demo time goes backwards at day ${day} ${hhmm}`);
    this.clock = time;
    return this;
  }

  produce(party: string, batchId: string, def: ProductDef, quantity: number, inputs = ''): this {
    this.units.set(batchId, def.unit);
    const product = { id: gs1(`${this.site(party).prefix}${def.item}`), name: def.name };
    const inputList = this.lines(inputs);
    const fields = { batchId, product, quantity, unit: def.unit, inputs: inputList };
    return this.push(party, `produce/${batchId}`, { eventType: 'BatchProduced', ...fields });
  }

  ship(party: string, shipmentId: string, to: string, lines: LineSpec): this {
    const shipment = { from: party, to, lines: this.lines(lines) };
    this.shipments.set(shipmentId, shipment);
    const fields = { shipmentId, to, lines: shipment.lines };
    return this.push(party, `ship/${shipmentId}`, { eventType: 'BatchShipped', ...fields });
  }

  receive(shipmentId: string): this {
    const shipment = this.shipments.get(shipmentId);
    if (!shipment) throw new Error(`demo receipt of unknown shipment ${shipmentId}`);
    const { from, to, lines } = shipment;
    const event = { eventType: 'BatchReceived', shipmentId, from, lines } as const;
    return this.push(to, `receive/${shipmentId}`, event);
  }

  inspect(party: string, batchId: string, spec: InspectionSpec, siteOf = party): this {
    const findings = spec.findings.map(([item, value, limit, unit]) => ({
      item,
      value,
      limit,
      unit,
    }));
    const { id: inspectionId, kind, result, standard, report } = spec;
    const fields = { inspectionId, batchId, kind, result, findings, standard, report };
    const event = { eventType: 'InspectionRecorded' as const, ...fields };
    return this.push(party, `inspect/${inspectionId}`, event, siteOf);
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

  private push(party: string, key: string, fields: DemoEventFields, siteOf = party): this {
    const eventTime = new Date(this.clock).toISOString().replace('.000Z', 'Z');
    const { operator } = this.site(party);
    const envelope = { eventId: stableUuid(key), eventTime, location: this.site(siteOf).location };
    this.timeline.push({ party, event: { ...envelope, operator, ...fields } });
    this.clock += STEP_MS;
    return this;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type DemoEventFields = DistributiveOmit<DemoEvent, keyof Envelope>;
