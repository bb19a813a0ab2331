/**
 * Reading a (schema-checked) EPCIS 2.0 event: its identifiers by role, its quantities, its
 * locations and parties, and the extensions Suyuan writes under its own namespace. Pure.
 */
import { shortTerm } from './cbv.js';
import { canonicalUri, parseGs1Uri } from './gs1-uri.js';

export type EpcisEvent = Readonly<Record<string, unknown>>;

export const EPCIS_EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransformationEvent',
  'TransactionEvent',
  'AssociationEvent',
] as const;
export type EpcisEventType = (typeof EPCIS_EVENT_TYPES)[number];

/** The namespace of Suyuan's own extensions (operator, inspection kind, findings, recalls). */
export const SUYUAN_NAMESPACE = 'https://ns.suyuan.dev/epcis/';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** The instance-level identifier lists of EPCIS, and the class-level quantity lists. */
export const EPC_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
export const QUANTITY_LISTS = [
  'quantityList',
  'childQuantityList',
  'inputQuantityList',
  'outputQuantityList',
] as const;
export type EpcListName = (typeof EPC_LISTS)[number];
export type QuantityListName = (typeof QUANTITY_LISTS)[number];

export interface NamedEpc {
  /** Where in the event, e.g. `epcList[1]`. */
  readonly path: string;
  /** As written in the event. */
  readonly uri: string;
  /** Canonical Digital Link for a GS1 key, the URI itself otherwise. */
  readonly id: string;
}

export interface QuantityElement extends NamedEpc {
  readonly quantity: number | undefined;
  readonly uom: string | undefined;
}

export function epcsOf(event: EpcisEvent, list: EpcListName): NamedEpc[] {
  return strings(event[list]).map((uri, i) => ({
    path: `${list}[${i}]`,
    uri,
    id: canonicalUri(uri),
  }));
}

export function quantitiesOf(event: EpcisEvent, list: QuantityListName): QuantityElement[] {
  const elements = Array.isArray(event[list]) ? (event[list] as unknown[]) : [];
  return elements.flatMap((element, i) => {
    if (typeof element !== 'object' || element === null) return [];
    const { epcClass, quantity, uom } = element as Record<string, unknown>;
    if (typeof epcClass !== 'string') return [];
    return [
      {
        path: `${list}[${i}].epcClass`,
        uri: epcClass,
        id: canonicalUri(epcClass),
        quantity: typeof quantity === 'number' ? quantity : undefined,
        uom: text(uom),
      },
    ];
  });
}

export function parentOf(event: EpcisEvent): NamedEpc | undefined {
  const uri = text(event.parentID);
  return uri === undefined ? undefined : { path: 'parentID', uri, id: canonicalUri(uri) };
}

/** Every identifier an event names, canonical, by the role the EPCIS query gives it. */
export interface IdsByRole {
  readonly epc: string[];
  readonly parentID: string[];
  readonly inputEPC: string[];
  readonly outputEPC: string[];
  readonly epcClass: string[];
  readonly inputEPCClass: string[];
  readonly outputEPCClass: string[];
}

export function idsByRole(event: EpcisEvent): IdsByRole {
  const ids = (named: readonly NamedEpc[]) => [...new Set(named.map((epc) => epc.id))];
  const parent = parentOf(event);
  return {
    epc: ids([...epcsOf(event, 'epcList'), ...epcsOf(event, 'childEPCs')]),
    parentID: parent ? [parent.id] : [],
    inputEPC: ids(epcsOf(event, 'inputEPCList')),
    outputEPC: ids(epcsOf(event, 'outputEPCList')),
    epcClass: ids([
      ...quantitiesOf(event, 'quantityList'),
      ...quantitiesOf(event, 'childQuantityList'),
    ]),
    inputEPCClass: ids(quantitiesOf(event, 'inputQuantityList')),
    outputEPCClass: ids(quantitiesOf(event, 'outputQuantityList')),
  };
}

/** `readPoint.id` / `bizLocation.id`, canonical. */
export function locationId(
  event: EpcisEvent,
  field: 'readPoint' | 'bizLocation',
): string | undefined {
  const value = event[field];
  if (typeof value !== 'object' || value === null) return undefined;
  const id = text((value as Record<string, unknown>).id);
  return id === undefined ? undefined : canonicalUri(id);
}

/** The `location` entry of the event's sourceList (or, on a receipt, its destinationList). */
function movedLocation(event: EpcisEvent): string | undefined {
  const list = bizStepOf(event) === 'receiving' ? 'destinationList' : 'sourceList';
  const entry = sourcesOrDestinations(event, list).find((item) => item.type === 'location');
  return entry === undefined ? undefined : canonicalUri(entry.id);
}

/**
 * A Suyuan location (GLN and site) for the event's bizLocation, else its readPoint, else the
 * location its goods left (a source of type `location`) or, when receiving, reached (a
 * destination of type `location`).
 */
export function nativeLocation(
  event: EpcisEvent,
): { gln: string | null; siteId: string | null; name: string | null } | null {
  const uri =
    locationId(event, 'bizLocation') ?? locationId(event, 'readPoint') ?? movedLocation(event);
  if (uri === undefined) return null;
  const key = parseGs1Uri(uri);
  if (key?.gln !== undefined) {
    const extension = /\/254\/([^/]+)$/.exec(key.canonical)?.[1];
    return { gln: key.gln, siteId: extension ? decodeURIComponent(extension) : null, name: null };
  }
  return uri.length <= 128 ? { gln: null, siteId: uri, name: null } : null;
}

export interface SourceOrDestination {
  readonly path: string;
  /** The bare CBV term (owning_party, possessing_party, location) or a private URI. */
  readonly type: string;
  readonly id: string;
}

/** `sourceList` or `destinationList`, each entry's type as its bare CBV term. */
export function sourcesOrDestinations(
  event: EpcisEvent,
  list: 'sourceList' | 'destinationList',
): SourceOrDestination[] {
  const valueKey = list === 'sourceList' ? 'source' : 'destination';
  const entries = Array.isArray(event[list]) ? (event[list] as unknown[]) : [];
  return entries.flatMap((entry, i) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const record = entry as Record<string, unknown>;
    const id = text(record[valueKey]);
    const type = text(record.type);
    if (id === undefined || type === undefined) return [];
    return [{ path: `${list}[${i}].${valueKey}`, type: shortTerm('sourceDestType', type), id }];
  });
}

export interface BizTransaction {
  readonly type: string | undefined;
  readonly id: string;
}

export function bizTransactions(event: EpcisEvent): BizTransaction[] {
  const entries = Array.isArray(event.bizTransactionList) ? event.bizTransactionList : [];
  return (entries as unknown[]).flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const record = entry as Record<string, unknown>;
    const id = text(record.bizTransaction);
    if (id === undefined) return [];
    const type = text(record.type);
    return [{ type: type && shortTerm('bizTransactionType', type), id }];
  });
}

/** The bare CBV bizStep / disposition of an event ('' when it has none). */
export const bizStepOf = (event: EpcisEvent): string =>
  shortTerm('bizStep', text(event.bizStep) ?? '');
export const dispositionOf = (event: EpcisEvent): string =>
  shortTerm('disposition', text(event.disposition) ?? '');

/**
 * The prefixes a document's `@context` declares, so an extension key `suyuan:operator` can be
 * read whatever prefix the sender chose for Suyuan's namespace.
 */
export function namespacePrefixes(context: unknown): Map<string, string> {
  const prefixes = new Map<string, string>();
  for (const entry of Array.isArray(context) ? context : [context]) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const [prefix, uri] of Object.entries(entry as Record<string, unknown>)) {
      if (typeof uri === 'string' && !prefix.startsWith('@')) prefixes.set(prefix, uri);
    }
  }
  return prefixes;
}

/** A Suyuan extension of an object (`<prefix>:<name>` with the prefix bound to our namespace). */
export function suyuanExtension(
  object: EpcisEvent,
  name: string,
  prefixes: ReadonlyMap<string, string>,
): unknown {
  for (const [key, value] of Object.entries(object)) {
    if (key === `${SUYUAN_NAMESPACE}${name}`) return value;
    const colon = key.indexOf(':');
    if (colon > 0 && key.slice(colon + 1) === name) {
      if (prefixes.get(key.slice(0, colon)) === SUYUAN_NAMESPACE) return value;
    }
  }
  return undefined;
}
