/**
 * The critical tracking events of the FSMA 204 export, read from the ClickHouse projection of
 * record: the lots asked for (a product's batches, or one batch), each lot's origin (its counting
 * production), and its shipments and receipts — retracted events left out — within the dates,
 * each with its reference documents.
 */
import type { ReferenceDocument } from '../../common/events/reference-documents.js';
import type { Store } from '../../common/store/store.js';
import { countingProductions, NOT_RETRACTED } from '../../common/store/projection-rules.js';

export interface FsmaSelection {
  readonly productId?: string;
  readonly batchId?: string;
  /** Inclusive, RFC 3339. */
  readonly from?: string;
  /** Exclusive, RFC 3339. */
  readonly to?: string;
  /** Only the events this party recorded; undefined for a regulator. */
  readonly party?: string;
}

export interface CteRow {
  readonly kind: 'origin' | 'shipping' | 'receiving';
  readonly eventId: string;
  readonly at: string;
  readonly lot: string;
  readonly productId: string;
  readonly productName: string;
  readonly quantity: number;
  readonly unit: string;
  /** The party that recorded the event. */
  readonly actor: string;
  readonly producer: string;
  /** The lot's production: where its traceability lot code was assigned. */
  readonly sourceEventId: string;
  readonly fromParty: string;
  readonly toParty: string;
  /** The other end of a shipment line: its receipt, or the shipment of a receipt. */
  readonly counterpartEventId: string;
  /** The shipment's or receipt's own documents (bill of lading, invoice...); none for an origin. */
  readonly referenceDocuments: readonly ReferenceDocument[];
}

export interface InputLine {
  readonly eventId: string;
  readonly input: string;
  readonly quantity: number;
  readonly unit: string | null;
}

export interface EventSite {
  readonly eventId: string;
  readonly locationName: string | null;
  readonly locationGln: string | null;
}

const atParam = (name: 'from' | 'to') => `parseDateTime64BestEffort({${name}:String}, 3, 'UTC')`;

function lotsQuery(selection: FsmaSelection): string {
  const candidates =
    selection.batchId !== undefined
      ? '({batchId:String})'
      : '(SELECT batch_id FROM batches WHERE product_id = {productId:String})';
  const product = selection.productId !== undefined ? 'WHERE product_id = {productId:String}' : '';
  return `SELECT batch_id, event_id, product_id, product_name, producer, quantity, unit, produced_at
    FROM (${countingProductions(candidates)}) ${product}`;
}

/** A shipment or receipt line of the lots, with the event at its other end (if any). */
const custodyLines = (table: 'shipments' | 'receipts') => {
  const other = table === 'shipments' ? 'receipts' : 'shipments';
  return `SELECT t.*, c.counterpart AS counterpart
    FROM (SELECT * FROM ${table} FINAL
          WHERE batch_id IN (SELECT batch_id FROM lots) AND ${NOT_RETRACTED}) AS t
    LEFT JOIN (SELECT shipment_id, batch_id, min(event_id) AS counterpart FROM ${other} FINAL
               WHERE batch_id IN (SELECT batch_id FROM lots) AND ${NOT_RETRACTED}
               GROUP BY shipment_id, batch_id) AS c
      ON c.shipment_id = t.shipment_id AND c.batch_id = t.batch_id`;
};

function ctesQuery(selection: FsmaSelection): string {
  const when = (column: string) =>
    [
      selection.from !== undefined ? `${column} >= ${atParam('from')}` : '',
      selection.to !== undefined ? `${column} < ${atParam('to')}` : '',
      selection.party !== undefined ? 'actor = {party:String}' : '',
    ]
      .filter(Boolean)
      .join(' AND ') || '1';
  const lotColumns = `l.product_id AS productId, l.product_name AS productName,
    l.producer AS producer, l.event_id AS sourceEventId`;
  return `WITH lots AS (${lotsQuery(selection)})
  SELECT * FROM (
    SELECT 'origin' AS kind, l.event_id AS eventId, l.produced_at AS at, l.batch_id AS lot,
      ${lotColumns}, l.quantity AS quantity, l.unit AS unit, l.producer AS actor,
      '' AS fromParty, '' AS toParty, '' AS counterpartEventId,
      CAST([] AS Array(Tuple(type String, number String))) AS referenceDocuments
    FROM lots AS l
    UNION ALL
    SELECT 'shipping', s.event_id, s.shipped_at, s.batch_id, ${lotColumns}, s.quantity, s.unit,
      s.from_party, s.from_party, s.to_party, s.counterpart, s.reference_documents
    FROM (${custodyLines('shipments')}) AS s INNER JOIN lots AS l ON l.batch_id = s.batch_id
    UNION ALL
    SELECT 'receiving', r.event_id, r.received_at, r.batch_id, ${lotColumns}, r.quantity, r.unit,
      r.receiver, r.from_party, r.receiver, r.counterpart, r.reference_documents
    FROM (${custodyLines('receipts')}) AS r INNER JOIN lots AS l ON l.batch_id = r.batch_id
  )
  WHERE ${when('at')}
  ORDER BY at, eventId, lot`;
}

const params = (selection: FsmaSelection) => ({
  productId: selection.productId ?? '',
  batchId: selection.batchId ?? '',
  from: selection.from ?? '',
  to: selection.to ?? '',
  party: selection.party ?? '',
});

export async function findCtes(store: Store, selection: FsmaSelection): Promise<CteRow[]> {
  return store.query<CteRow>(ctesQuery(selection), params(selection));
}

/** The inputs of the lots' origin events: those with any are transformations. */
export async function findInputs(
  store: Store,
  origins: ReadonlyArray<{ readonly lot: string; readonly eventId: string }>,
): Promise<InputLine[]> {
  if (origins.length === 0) return [];
  return store.query<InputLine>(
    `SELECT event_id AS eventId, input_batch_id AS input, quantity, unit
     FROM derivations_by_output FINAL
     WHERE output_batch_id IN {lots:Array(String)} AND event_id IN {ids:Array(String)}
     ORDER BY eventId, input`,
    {
      lots: [...new Set(origins.map((origin) => origin.lot))],
      ids: [...new Set(origins.map((origin) => origin.eventId))],
    },
  );
}

/** Where each event happened, as its sender named the site. */
export async function findSites(store: Store, eventIds: readonly string[]): Promise<EventSite[]> {
  if (eventIds.length === 0) return [];
  return store.query<EventSite>(
    `SELECT event_id AS eventId, location_name AS locationName, location_gln AS locationGln
     FROM events FINAL WHERE event_id IN {ids:Array(String)}`,
    { ids: [...new Set(eventIds)] },
  );
}
