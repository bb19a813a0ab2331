/**
 * What mapping one EPCIS event works with — the event, its id, the caller, the document's
 * namespace prefixes and the capture knowledge — and the pieces every mapping shares.
 */
import type { UnstampedEvent } from '../events/unstamped-event.js';
import { stableUuid } from '../stable-id.js';
import { canonicalTime } from './canonical-values.js';
import type { CaptureKnowledge } from './capture-knowledge.js';
import {
  epcsOf,
  nativeLocation,
  parentOf,
  quantitiesOf,
  suyuanExtension,
  type EpcisEvent,
} from './epcis-event.js';
import { parseGs1Uri } from './gs1-uri.js';
import {
  place,
  type FieldProblem,
  type Line,
  type Placement,
  type UnresolvedLink,
} from './placement.js';

export interface Caller {
  readonly partyId: string;
  /** A regulator orders recalls and its samplings are supervisory (监督抽查). */
  readonly regulator: boolean;
}

export interface MapRequest {
  readonly event: EpcisEvent;
  readonly epcisEventId: string;
  readonly caller: Caller;
  /** The document's namespace prefixes, to read Suyuan's extensions. */
  readonly prefixes: ReadonlyMap<string, string>;
  readonly knowledge: CaptureKnowledge;
}

export type Learned = Parameters<CaptureKnowledge['learn']>[0];

export interface MappedEvent {
  readonly natives: UnstampedEvent[];
  readonly unresolved: UnresolvedLink[];
  readonly problems: FieldProblem[];
  /** Set when the caller may not record the event at all (403). */
  readonly forbidden: FieldProblem | undefined;
  /** What the event makes known to the events after it in its document. */
  readonly learned: Learned;
}

/** The Suyuan event id of a captured EPCIS event's own record. */
export const epcisRecordEventId = (epcisEventId: string, declared: boolean): string =>
  stableUuid(`epcis/${epcisEventId}${declared ? '/error-declaration' : ''}`);

/** The id of a native event derived from an EPCIS event, stable across retries and replays. */
export const derivedEventId = (epcisEventId: string, role: string): string =>
  stableUuid(`epcis/${epcisEventId}/${role}`);

/** What every derived event shares: the acting party is the caller, never the event's. */
export function envelopeOf(request: MapRequest, role: string) {
  const operator = suyuanExtension(request.event, 'operator', request.prefixes);
  return {
    eventId: derivedEventId(request.epcisEventId, role),
    eventTime: canonicalTime(String(request.event.eventTime)),
    party: request.caller.partyId,
    location: nativeLocation(request.event),
    operator: typeof operator === 'string' && operator.length > 0 ? operator.slice(0, 128) : null,
  };
}

/** What the event's objects are at its time: ObjectEvent lists, or an aggregation's children. */
export function objectsOf(request: MapRequest): Placement {
  const { event, knowledge } = request;
  const time = canonicalTime(String(event.eventTime));
  const contentsOf = (container: string) => knowledge.contentsAt(container, time);
  if (event.type === 'AggregationEvent') {
    const children = epcsOf(event, 'childEPCs');
    const childQuantities = quantitiesOf(event, 'childQuantityList');
    const parent = parentOf(event);
    const named = children.length + childQuantities.length > 0 || !parent ? children : [parent];
    return place(named, childQuantities, contentsOf);
  }
  return place(epcsOf(event, 'epcList'), quantitiesOf(event, 'quantityList'), contentsOf);
}

function productOf(request: MapRequest, batchId: string) {
  const gtin = parseGs1Uri(batchId)?.gtin;
  const named = suyuanExtension(request.event, 'productName', request.prefixes);
  const productId = suyuanExtension(request.event, 'productId', request.prefixes);
  const id = gtin ?? (typeof productId === 'string' && productId ? productId : batchId);
  const name =
    (typeof named === 'string' && named) ||
    (gtin && request.knowledge.productName(gtin)) ||
    (gtin ? `GTIN ${gtin}` : id);
  return { id: id.slice(0, 128), name: name.slice(0, 256) };
}

/** The production of one output (or commissioned lot or item) from its inputs. */
export function produced(
  request: MapRequest,
  output: Line,
  inputs: ReadonlyArray<{
    readonly batchId: string;
    readonly quantity: number;
    readonly unit: string | null;
  }>,
): Extract<UnstampedEvent, { eventType: 'BatchProduced' }> {
  return {
    eventType: 'BatchProduced',
    ...envelopeOf(request, `produced/${output.batchId}`),
    epcisEventId: request.epcisEventId,
    // EPCIS names no administrative division of a location.
    location: withoutRegion(envelopeOf(request, `produced/${output.batchId}`).location),
    batchId: output.batchId,
    product: productOf(request, output.batchId),
    quantity: output.quantity,
    unit: output.unit,
    inputs: inputs.map((input) => ({ ...input })),
  };
}

export const empty = (): MappedEvent => ({
  natives: [],
  unresolved: [],
  problems: [],
  forbidden: undefined,
  learned: {},
});

const withoutRegion = <T extends object>(location: T | null) =>
  location === null ? null : { ...location, region: null };
