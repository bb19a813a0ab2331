/**
 * The FSMA 204 sortable spreadsheet (21 CFR 1.1455(c)): one row per critical tracking event, with
 * the key data elements of 21 CFR 1.1325–1.1350 the platform holds. The columns, in order, as both
 * the CSV and the XLSX of GET /v1/exports/fsma204 write them.
 */

export const FSMA_CTES = ['initial packing', 'transformation', 'shipping', 'receiving'] as const;
export type FsmaCte = (typeof FSMA_CTES)[number];

export const FSMA_COLUMNS = [
  'critical_tracking_event',
  'event_date',
  'event_time_utc',
  'traceability_lot_code',
  'product_id',
  'product_description',
  'quantity',
  'unit_of_measure',
  'tlc_source_party',
  'tlc_source_location',
  'tlc_source_gln',
  'ship_from_party',
  'ship_from_location',
  'ship_from_gln',
  'ship_to_party',
  'ship_to_location',
  'ship_to_gln',
  'input_lots',
  'reference_document_type',
  'reference_document_number',
  'recorded_by',
  'event_id',
] as const;

export type FsmaColumn = (typeof FSMA_COLUMNS)[number];

/** One row: text, a number (quantity) or nothing (a key data element the events do not hold). */
export type FsmaRow = { readonly [column in FsmaColumn]: string | number | null };

export const FSMA_FORMATS = ['csv', 'xlsx'] as const;
export type FsmaFormat = (typeof FSMA_FORMATS)[number];
