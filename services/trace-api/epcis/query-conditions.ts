/**
 * The WHERE clauses of an EPCIS query, for its two sources: EPCIS events as captured
 * (`epcis_events`) and native events as exported (`epcis_native_events`). Pure: SQL text with
 * named parameters, so every value travels as a query parameter, never in the text.
 */
import { gtin14 } from '../../common/epcis/check-digits.js';
import { parseGs1Uri } from '../../common/epcis/gs1-uri.js';
import type { EpcisQuery, IdMatch, MatchRole } from '../../common/epcis/query-params.js';
import { batchIdOfPlatformUri } from '../../common/epcis/suyuan-uris.js';

/** Collects named parameters as conditions are written. */
export class Params {
  readonly values: Record<string, unknown> = {};
  private next = 0;
  add(value: unknown, type: string): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }

  /** A UTC RFC 3339 time, in the form a DateTime64 query parameter is read in. */
  time(value: string): string {
    return this.add(value.replace('T', ' ').replace(/Z$/, ''), "DateTime64(3, 'UTC')");
  }
}

const strings = (params: Params, list: readonly string[]) => params.add([...list], 'Array(String)');
const time = (params: Params, value: string) => params.time(value);

function ranges(params: Params, column: string, range: { ge?: string; lt?: string }): string[] {
  return [
    ...(range.ge ? [`${column} >= ${time(params, range.ge)}`] : []),
    ...(range.lt ? [`${column} < ${time(params, range.lt)}`] : []),
  ];
}

/** A class pattern `…/01/{GTIN}` matches the class itself and every lot and item under it. */
const prefixesOf = (ids: readonly IdMatch[]) => ids.filter((m) => m.pattern).map((m) => `${m.id}/`);

export function capturedConditions(query: EpcisQuery, params: Params): string[] {
  const where: string[] = [];
  const inList = (column: string, list: readonly string[] | undefined) => {
    if (list) where.push(`${column} IN ${strings(params, list)}`);
  };
  inList('event_type', query.eventTypes);
  inList('action', query.actions);
  inList('biz_step', query.bizSteps);
  inList('disposition', query.dispositions);
  inList('biz_location', query.bizLocations);
  inList('read_point', query.readPoints);
  inList('transformation_id', query.transformationIds);
  inList('epcis_event_id', query.eventIds);
  where.push(...ranges(params, 'event_time', query.eventTime));
  where.push(...ranges(params, 'record_time', query.recordTime));
  if (query.errorDeclared) where.push('declared = 1');
  where.push(...ranges(params, 'error_declaration_time', query.errorDeclarationTime));
  for (const match of query.matches) {
    where.push(`epcis_event_id IN (SELECT epcis_event_id FROM epcis_event_ids
      WHERE role IN ${strings(params, match.roles)}
        AND (id IN ${strings(
          params,
          match.ids.map((m) => m.id),
        )}
             OR arrayExists(p -> startsWith(id, p), ${strings(params, prefixesOf(match.ids))})))`);
  }
  return where;
}

/** The product ids a GTIN may have been written with (GTIN-14, -13, -12, -8). */
function gtinSpellings(gtin: string): string[] {
  return [14, 13, 12, 8].flatMap((length) =>
    gtin.slice(0, 14 - length).replace(/0/g, '') === '' ? [gtin.slice(14 - length)] : [],
  );
}

/**
 * The batches an identifier names among native events: a batch whose id is the identifier, a
 * `urn:suyuan:batch:` batch, and a native batch exported as the LGTIN `…/01/{GTIN}/10/{id}`
 * (whose product is that GTIN). A class pattern names every batch of its product.
 */
function nativeBatches(params: Params, ids: readonly IdMatch[]): string {
  const exact = new Set<string>();
  const lots: string[] = [];
  const products: string[] = [];
  for (const match of ids) {
    exact.add(match.id);
    const platform = batchIdOfPlatformUri(match.id);
    if (platform !== undefined) exact.add(platform);
    const key = parseGs1Uri(match.id);
    const lot = key?.kind === 'lgtin' ? /\/10\/([^/]+)$/.exec(key.canonical)?.[1] : undefined;
    if (lot && key?.gtin)
      lots.push(...gtinSpellings(key.gtin).map((g) => `${g}\u0000${decodeURIComponent(lot)}`));
    if (match.pattern && key?.gtin && gtin14(key.gtin)) products.push(...gtinSpellings(key.gtin));
  }
  return `(batch_id IN ${strings(params, [...exact])}
    OR arrayExists(p -> startsWith(batch_id, p), ${strings(params, prefixesOf(ids))})
    OR batch_id IN (SELECT batch_id FROM batches
      WHERE concat(product_id, '\\0', batch_id) IN ${strings(params, lots)}
         OR product_id IN ${strings(params, products)}))`;
}

/** The roles a native event's export fills: its batches are classes, its transformations have sides. */
const NATIVE_ROLES: Partial<Record<MatchRole, string>> = {
  epc: `native_type NOT IN ('BatchProduced')`,
  epcClass: `1`,
  inputEPCClass: `epcis_type = 'TransformationEvent'`,
  outputEPCClass: `epcis_type = 'TransformationEvent'`,
};

export function nativeConditions(query: EpcisQuery, params: Params): string[] {
  const where: string[] = [];
  const inList = (column: string, list: readonly string[] | undefined) => {
    if (list) where.push(`${column} IN ${strings(params, list)}`);
  };
  inList('epcis_type', query.eventTypes);
  inList('action', query.actions);
  inList('biz_step', query.bizSteps);
  inList('disposition', query.dispositions);
  inList('biz_location', query.bizLocations);
  // Native events have no read point; their transformation and event ids are their own uuids.
  if (query.readPoints) where.push('0');
  const uuids = (list: readonly string[]) =>
    list.filter((id) => id.startsWith('urn:uuid:')).map((id) => id.slice('urn:uuid:'.length));
  if (query.transformationIds) {
    where.push(`epcis_type = 'TransformationEvent'`);
    inList('event_id', uuids(query.transformationIds));
  }
  if (query.eventIds) inList('event_id', uuids(query.eventIds));
  where.push(...ranges(params, 'event_time', query.eventTime));
  where.push(...ranges(params, 'recorded_at', query.recordTime));
  const declaration = ranges(params, 'at', query.errorDeclarationTime);
  if (query.errorDeclared || declaration.length > 0) {
    where.push(`event_id IN (SELECT target_event_id FROM retractions
      WHERE ${declaration.length > 0 ? declaration.join(' AND ') : '1'})`);
  }
  for (const match of query.matches) {
    const roles = match.roles.flatMap((role) => NATIVE_ROLES[role] ?? []);
    if (roles.length === 0) {
      where.push('0');
      continue;
    }
    where.push(`(${roles.map((role) => `(${role})`).join(' OR ')})
      AND event_id IN (SELECT event_id FROM batch_events WHERE ${nativeBatches(params, match.ids)})`);
  }
  return where;
}

const LIVE = 'event_id NOT IN (SELECT target_event_id FROM retractions)';

/** The batches a party handled — produced, shipped, received or inspected — by events not retracted. */
const handledBy = (party: string) => `
  SELECT batch_id FROM batches WHERE producer = ${party} AND ${LIVE}
  UNION DISTINCT SELECT batch_id FROM shipments
    WHERE (from_party = ${party} OR to_party = ${party}) AND ${LIVE}
  UNION DISTINCT SELECT batch_id FROM receipts
    WHERE (receiver = ${party} OR from_party = ${party}) AND ${LIVE}
  UNION DISTINCT SELECT batch_id FROM inspections WHERE inspector = ${party} AND ${LIVE}`;

/**
 * What a party that is not a regulator may see (the trace rules, one step around what it
 * handled): its own events, the shipments to it and receipts from it, and the other events that
 * name a batch it handled — a production using it, an inspection or a recall of it.
 */
export function nativeVisibility(params: Params, partyId: string): string {
  const party = params.add(partyId, 'String');
  return `(party = ${party}
    OR event_id IN (SELECT event_id FROM shipments WHERE to_party = ${party})
    OR event_id IN (SELECT event_id FROM receipts WHERE from_party = ${party})
    OR (native_type NOT IN ('BatchShipped', 'BatchReceived')
        AND event_id IN (SELECT event_id FROM batch_events WHERE batch_id IN (${handledBy(party)}))))`;
}

/** A captured EPCIS event is visible when the caller recorded it or may see what it derived. */
export function capturedVisibility(params: Params, partyId: string): string {
  const party = params.add(partyId, 'String');
  return `(party = ${party}
    OR epcis_event_id IN (SELECT epcis_event_id FROM epcis_event_ids
                          WHERE id IN (${handledBy(party)})))`;
}
