/** The trace as one CSV: a row per batch, then a row per shipment line, told apart by `record`. */
import type { Trace } from '../../common/api/trace.js';

const HEADER = [
  'record',
  'batchId',
  'productId',
  'productName',
  'party',
  'operator',
  'quantity',
  'unit',
  'time',
  'depth',
  'recalled',
  'failedInspection',
  'shipmentId',
  'to',
  'receivedAt',
  'receivedQuantity',
];

type Cell = string | number | boolean | null | undefined;

const cell = (value: Cell): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote per RFC 4180; a leading formula character is defused for spreadsheets.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function traceCsv(trace: Trace): string {
  const rows: Cell[][] = [HEADER];
  for (const b of trace.batches) {
    rows.push([
      'batch',
      b.batchId,
      b.product?.id,
      b.product?.name,
      b.producer,
      b.operator,
      b.quantity,
      b.unit,
      b.producedAt,
      b.depth,
      b.flags.recalled,
      b.flags.failedInspection,
    ]);
  }
  for (const s of trace.shipments) {
    rows.push([
      'shipment',
      s.batchId,
      '',
      '',
      s.from,
      s.operator,
      s.quantity,
      s.unit,
      s.shippedAt,
      '',
      '',
      '',
      s.shipmentId,
      s.to,
      s.receivedAt,
      s.receivedQuantity,
    ]);
  }
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
