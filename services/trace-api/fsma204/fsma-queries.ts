/**
 * The critical tracking events of the FSMA 204 export, read from the ClickHouse projection of
 * record: the lots asked for (a product's batches, or one batch), each lot's origin (its counting
 * production), and its shipments and receipts — retracted events left out — within the dates,
 * each with its reference documents.
 */
import type { ReferenceDocument } from '../../common/events/reference-documents.js';
import type { Store } from '../../common/store/store.js';
import { countingProductions, NOT_RETRACTED } from '../../common/store/projection-rules.js';
import { queryInChunks } from '../../common/store/query-in-chunks.js';
import { byColumns } from '../../common/serving/utf8-order.js';

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

/** `column` within the selection's dates; `1` without any. */
function within(selection: FsmaSelection, column: string): string {
  return (
    [
      selection.from !== undefined ? `${column} >= ${atParam('from')}` : '',
      selection.to !== undefined ? `${column} < ${atParam('to')}` : '',
    ]
      .filter(Boolean)
      .join(' AND ') || '1'
  );
}

/**
 * The batches that may have a critical tracking event in the dates: one asked for by id, or a
 * product's batches produced, shipped or received within them. Narrowed by the dates first, so a
 * month of a product with hundreds of thousands of batches reads that month's, not every one.
 */
function candidatesQuery(selection: FsmaSelection): string {
  if (selection.batchId !== undefined) return '({batchId:String})';
  const products = 'SELECT batch_id FROM batches WHERE product_id = {productId:String}';
  if (selection.from === undefined && selection.to === undefined) return `(${products})`;
  return `(SELECT batch_id FROM batches
      WHERE product_id = {productId:String} AND ${within(selection, 'produced_at')}
    UNION ALL SELECT batch_id FROM shipments
      WHERE ${within(selection, 'shipped_at')} AND batch_id IN (${products})
    UNION ALL SELECT batch_id FROM receipts
      WHERE ${within(selection, 'received_at')} AND batch_id IN (${products}))`;
}

function lotsQuery(selection: FsmaSelection): string {
  const product = selection.productId !== undefined ? 'WHERE product_id = {productId:String}' : '';
  return `SELECT batch_id, event_id, product_id, product_name, producer, quantity, unit, produced_at
    FROM (${countingProductions(candidatesQuery(selection))}) ${product}`;
}

/** A shipment or receipt line of the lots in the dates, with the event at its other end (if any). */
const custodyLines = (table: 'shipments' | 'receipts', selection: FsmaSelection) => {
  const other = table === 'shipments' ? 'receipts' : 'shipments';
  const at = table === 'shipments' ? 'shipped_at' : 'received_at';
  return `SELECT t.*, c.counterpart AS counterpart
    FROM (SELECT * FROM ${table} FINAL
          WHERE batch_id IN (SELECT batch_id FROM lots) AND ${within(selection, at)}
            AND ${NOT_RETRACTED}) AS t
    LEFT JOIN (SELECT shipment_id, batch_id, min(event_id) AS counterpart FROM ${other} FINAL
               WHERE batch_id IN (SELECT batch_id FROM lots) AND ${NOT_RETRACTED}
               GROUP BY shipment_id, batch_id) AS c
      ON c.shipment_id = t.shipment_id AND c.batch_id = t.batch_id`;
};

function ctesQuery(selection: FsmaSelection): string {
  const recordedBy = selection.party !== undefined ? 'actor = {party:String}' : '1';
  const lotColumns = `l.product_id AS productId, l.product_name AS productName,
    l.producer AS producer, l.event_id AS sourceEventId`;
  return `WITH lots AS (${lotsQuery(selection)})
  SELECT * FROM (
    SELECT 'origin' AS kind, l.event_id AS eventId, l.produced_at AS at, l.batch_id AS lot,
      ${lotColumns}, l.quantity AS quantity, l.unit AS unit, l.producer AS actor,
      '' AS fromParty, '' AS toParty, '' AS counterpartEventId,
      CAST([] AS Array(Tuple(type String, number String))) AS referenceDocuments
    FROM lots AS l WHERE ${within(selection, 'l.produced_at')}
    UNION ALL
    SELECT 'shipping', s.event_id, s.shipped_at, s.batch_id, ${lotColumns}, s.quantity, s.unit,
      s.from_party, s.from_party, s.to_party, s.counterpart, s.reference_documents
    FROM (${custodyLines('shipments', selection)}) AS s INNER JOIN lots AS l ON l.batch_id = s.batch_id
    UNION ALL
    SELECT 'receiving', r.event_id, r.received_at, r.batch_id, ${lotColumns}, r.quantity, r.unit,
      r.receiver, r.from_party, r.receiver, r.counterpart, r.reference_documents
    FROM (${custodyLines('receipts', selection)}) AS r INNER JOIN lots AS l ON l.batch_id = r.batch_id
  )
  WHERE ${recordedBy}
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
  // An origin's inputs are rows of its own lot: parts of the lots take the events along.
  const eventIds = new Set(origins.map((origin) => origin.eventId));
  const rows = await queryInChunks<InputLine>(
    store,
    `SELECT event_id AS eventId, input_batch_id AS input, quantity, unit
     FROM derivations_by_output FINAL
     WHERE output_batch_id IN {lots:Array(String)}`,
    'lots',
    [...new Set(origins.map((origin) => origin.lot))],
  );
  return rows
    .filter((row) => eventIds.has(row.eventId))
    .sort(
      byColumns(
        (row) => row.eventId,
        (row) => row.input,
      ),
    );
}

/** Where each event happened, as its sender named the site. */
export async function findSites(store: Store, eventIds: readonly string[]): Promise<EventSite[]> {
  return queryInChunks<EventSite>(
    store,
    `SELECT event_id AS eventId, location_name AS locationName, location_gln AS locationGln
     FROM events FINAL WHERE event_id IN {ids:Array(String)}`,
    'ids',
    [...new Set(eventIds)],
  );
}
