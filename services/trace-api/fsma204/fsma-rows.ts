/**
 * Pure: the critical tracking events of the FSMA 204 export as spreadsheet rows. A lot's origin
 * is its initial packing, or its transformation when it was made from inputs (its new
 * traceability lot code is assigned there); shipping and receiving name both ends. The
 * traceability lot code is the batch id, and its source the site of the lot's production: a lot
 * code never changes when the lot is shipped.
 *
 * The reference document type and number are the shipment's or receipt's documents (BatchShipped
 * and BatchReceived v3), several as parallel lists in their order ("BILL_OF_LADING; INVOICE" and
 * "BOL-1; INV-9"). Key data elements the events do not hold come out empty (a shipment or receipt
 * that names no document; a recipient's site before it records the receipt): README lists what a
 * firm must add.
 */
import type { FsmaCte, FsmaRow } from '../../common/api/fsma204.js';
import type { CteRow, EventSite, InputLine } from './fsma-queries.js';

export interface FsmaFacts {
  readonly ctes: readonly CteRow[];
  readonly inputs: readonly InputLine[];
  readonly sites: readonly EventSite[];
  /** Party names by id; a party not found is shown by its id. */
  readonly partyNames: ReadonlyMap<string, string>;
}

export function fsmaRows({ ctes, inputs, sites, partyNames }: FsmaFacts): FsmaRow[] {
  const siteOf = new Map(sites.map((site) => [site.eventId, site]));
  const inputsOf = groupBy(inputs, (line) => line.eventId);
  const party = (id: string) => {
    if (id === '') return null;
    const name = partyNames.get(id);
    return name === undefined || name === id ? id : `${name} (${id})`;
  };
  const site = (eventId: string) => {
    const found = eventId === '' ? undefined : siteOf.get(eventId);
    return { location: found?.locationName ?? null, gln: found?.locationGln ?? null };
  };
  return ctes.map((cte) => {
    const used = inputsOf.get(cte.eventId) ?? [];
    const source = site(cte.sourceEventId);
    const [from, to] =
      cte.kind === 'shipping'
        ? [site(cte.eventId), site(cte.counterpartEventId)]
        : cte.kind === 'receiving'
          ? [site(cte.counterpartEventId), site(cte.eventId)]
          : [
              { location: null, gln: null },
              { location: null, gln: null },
            ];
    return {
      critical_tracking_event: cteOf(cte, used.length > 0),
      event_date: cte.at.slice(0, 10),
      event_time_utc: cte.at,
      traceability_lot_code: cte.lot,
      product_id: cte.productId,
      product_description: cte.productName,
      quantity: cte.quantity,
      unit_of_measure: cte.unit,
      tlc_source_party: party(cte.producer),
      tlc_source_location: source.location,
      tlc_source_gln: source.gln,
      ship_from_party: party(cte.fromParty),
      ship_from_location: from.location,
      ship_from_gln: from.gln,
      ship_to_party: party(cte.toParty),
      ship_to_location: to.location,
      ship_to_gln: to.gln,
      input_lots: joined(used.map(inputText)),
      reference_document_type: joined(cte.referenceDocuments.map((document) => document.type)),
      reference_document_number: joined(cte.referenceDocuments.map((document) => document.number)),
      recorded_by: party(cte.actor),
      event_id: cte.eventId,
    };
  });
}

function cteOf(cte: CteRow, hasInputs: boolean): FsmaCte {
  if (cte.kind === 'origin') return hasInputs ? 'transformation' : 'initial packing';
  return cte.kind;
}

/** Several values of one cell, in order; none is an empty cell. */
const joined = (values: readonly string[]): string | null =>
  values.length > 0 ? values.join('; ') : null;

const inputText = (line: InputLine): string =>
  `${line.input} (${line.quantity}${line.unit ? ` ${line.unit}` : ''})`;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}
