/**
 * One builder of supply-chain events, for the demo's story (tools/demo/dairy-chain.ts), the
 * benchmarks' generated chains (test/bench/generator) and the browser tests (through the demo).
 * It writes each event whole — id, times, site, responsible person — so a chain says only what
 * happened. Where ids and times come from is the caller's `Stamper`: stable names on a story
 * clock for the demo, a seeded stream for the bench; the same stamps give the same events.
 */
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import type { ReferenceDocument } from '../../services/common/events/reference-documents.js';
import { stableUuid } from '../../services/common/stable-id.js';

export type Role = 'submitter' | 'regulator' | 'admin';

export interface ChainParty {
  readonly partyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

export interface ChainLocation {
  readonly gln: string;
  readonly siteId: string;
  readonly name: string;
  /** The site's administrative division (GB/T 2260 code), written on the batches made there. */
  readonly region?: string;
}

/** A production's site with its division, null when the chain gives none. */
const withRegion = <T extends { location: ChainLocation | null }>(envelope: T) => ({
  ...envelope,
  location: envelope.location && { ...envelope.location, region: envelope.location.region ?? null },
});

/** Where a party acts and who answers for it there (责任人). */
export interface ChainSite {
  readonly location: ChainLocation;
  readonly operator: string;
}

export interface Line {
  readonly batchId: string;
  readonly quantity: number;
  readonly unit: string;
}

/** [item, value, limit, unit] */
export type Finding = readonly [string, string, string, string];

export interface InspectionSpec {
  readonly id: string;
  readonly kind: EventOf<'InspectionRecorded'>['kind'];
  readonly result: EventOf<'InspectionRecorded'>['result'];
  readonly standard: string;
  readonly report: string;
  readonly findings: readonly Finding[];
  /** The hazard tested for (危害因素), when the chain names one. */
  readonly hazard?: string;
}

/** An event's id and times. */
export interface Stamp {
  readonly eventId: string;
  readonly eventTime: string;
  readonly recordedAt: string;
}

/** The stamp of the next event; `key` names the event stably (`ship/SH-1`) for stable ids. */
export type Stamper = (key: string) => Stamp;

export type EventOf<T extends SuyuanEvent['eventType']> = Extract<SuyuanEvent, { eventType: T }>;
export type ChainEvent = EventOf<
  'BatchProduced' | 'BatchShipped' | 'BatchReceived' | 'InspectionRecorded'
>;

/**
 * An event as a client posts it: ingest sets `party` (from the key) and `recordedAt`, and only
 * EPCIS capture links an event to the EPCIS event it came from (`epcisEventId`).
 */
export type Posted<E> = E extends unknown
  ? Omit<E, 'party' | 'recordedAt' | 'epcisEventId'>
  : never;

export function toSubmission<E extends SuyuanEvent>(event: E): Posted<E> {
  const { party: _party, recordedAt: _recordedAt, ...submitted } = event;
  if ('epcisEventId' in submitted) delete (submitted as { epcisEventId?: unknown }).epcisEventId;
  return submitted as Posted<E>;
}

export type ChainBuilder = ReturnType<typeof createChainBuilder>;

export function createChainBuilder(sites: ReadonlyMap<string, ChainSite>, stamp: Stamper) {
  // The stamp first: a seeded stamper draws from the stream before anything else of the event.
  // A chain's events are native: none comes from an EPCIS event.
  const envelope = (party: string, key: string, siteOf = party) => ({
    ...stamp(key),
    party,
    location: sites.get(siteOf)?.location ?? null,
    operator: sites.get(party)?.operator ?? null,
    epcisEventId: null,
  });
  const copy = (lines: readonly Line[]) => lines.map((line) => ({ ...line }));
  return {
    produce: (
      party: string,
      batchId: string,
      product: { readonly id: string; readonly name: string },
      quantity: number,
      unit: string,
      inputs: readonly Line[] = [],
    ): EventOf<'BatchProduced'> => ({
      ...withRegion(envelope(party, `produce/${batchId}`)),
      eventType: 'BatchProduced',
      batchId,
      product: { id: product.id, name: product.name },
      quantity,
      unit,
      inputs: copy(inputs),
    }),
    ship: (
      from: string,
      shipmentId: string,
      to: string,
      lines: readonly Line[],
      documents: readonly ReferenceDocument[] = [],
    ): EventOf<'BatchShipped'> => ({
      ...envelope(from, `ship/${shipmentId}`),
      eventType: 'BatchShipped',
      shipmentId,
      to,
      lines: copy(lines),
      referenceDocuments: documents.map((document) => ({ ...document })),
    }),
    /** The receipt of a whole shipment, by its recipient, with its documents (the shipment's). */
    receive: (
      shipment: EventOf<'BatchShipped'>,
      documents: readonly ReferenceDocument[] = shipment.referenceDocuments,
    ): EventOf<'BatchReceived'> => ({
      ...envelope(shipment.to, `receive/${shipment.shipmentId}`),
      eventType: 'BatchReceived',
      shipmentId: shipment.shipmentId,
      from: shipment.party,
      lines: copy(shipment.lines),
      referenceDocuments: documents.map((document) => ({ ...document })),
    }),
    /** An inspection by `party`, at the site of `siteOf` (a regulator samples at a store). */
    inspect: (
      party: string,
      batchId: string,
      spec: InspectionSpec,
      siteOf = party,
    ): EventOf<'InspectionRecorded'> => ({
      ...envelope(party, `inspect/${spec.id}`, siteOf),
      eventType: 'InspectionRecorded',
      inspectionId: spec.id,
      batchId,
      kind: spec.kind,
      result: spec.result,
      findings: spec.findings.map(([item, value, limit, unit]) => ({ item, value, limit, unit })),
      standard: spec.standard,
      report: spec.report,
      hazard: spec.hazard ?? null,
    }),
  };
}

/** Event ids from stable names, so loading a chain twice changes nothing. */
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
