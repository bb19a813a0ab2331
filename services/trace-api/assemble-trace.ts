/**
 * Pure assembly of the trace response (DESIGN §6) from the walk and the rows fetched for its
 * batches. Every list is sorted so the same data always gives the same bytes.
 */
import {
  INVOLVEMENTS,
  type BatchFlags,
  type BatchView,
  type Involvement,
  type Trace,
  type TraceBatch,
  type TraceDerivation,
  type TraceDirection,
  type TraceInspection,
  type TraceParty,
  type TraceShipment,
} from '../common/api/trace.js';
import type {
  BatchRow,
  DerivationRow,
  InspectionRow,
  ReceiptRow,
  ShipmentRow,
} from '../common/trace/trace-reads.js';

export interface TraceLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
}

/** A trace before the access rules: the answer but for `redacted` (redact-trace.ts). */
export type AssembledTrace = Omit<Trace, 'redacted'>;

/** What the store said about the batches of a walk. */
export interface TraceRows {
  readonly batches: readonly BatchRow[];
  /** The derivation edges the walk followed (duplicates are dropped here). */
  readonly derivations: readonly DerivationRow[];
  readonly shipments: readonly ShipmentRow[];
  readonly receipts: readonly ReceiptRow[];
  readonly inspections: readonly InspectionRow[];
  readonly recalledBatchIds: ReadonlySet<string>;
}

export interface TraceInput {
  readonly root: string;
  readonly direction: TraceDirection;
  readonly limits: TraceLimits;
  readonly depthOf: ReadonlyMap<string, number>;
  readonly truncated: boolean;
  readonly rows: TraceRows;
}

export function assembleTrace(input: TraceInput): AssembledTrace {
  const { rows } = input;
  const byId = new Map(rows.batches.map((row) => [row.batchId, row]));
  const flagsOf = batchFlagger(rows);
  const batches = [...input.depthOf]
    .map(([batchId, depth]) => traceBatch(batchId, byId.get(batchId), depth, flagsOf(batchId)))
    .sort((a, b) => a.depth - b.depth || compare(a.batchId, b.batchId));
  const shipments = matchShipments(rows.shipments, rows.receipts);
  return {
    root: input.root,
    direction: input.direction,
    truncated: input.truncated,
    limits: { maxDepth: input.limits.maxDepth, maxNodes: input.limits.maxNodes },
    batches,
    derivations: uniqueDerivations(rows.derivations),
    shipments,
    inspections: rows.inspections.map(inspectionView),
    parties: partyViews(partyInvolvements(rows, shipments)),
  };
}

/** One batch as its view shows it: a trace's batch without the depth. */
export function batchView(
  batchId: string,
  row: BatchRow | undefined,
  flags: BatchFlags,
): BatchView {
  const { depth: _depth, ...view } = traceBatch(batchId, row, 0, flags);
  return view;
}

/**
 * A batch as a trace lists it, its depth before the flags. Written out, not spread: a trace lists
 * up to thousands, and a spread or rest copies each property through the runtime.
 */
function traceBatch(
  batchId: string,
  row: BatchRow | undefined,
  depth: number,
  flags: BatchFlags,
): TraceBatch {
  return {
    batchId,
    product: row ? { id: row.productId, name: row.productName } : null,
    producer: row?.producer ?? null,
    operator: row?.operator ?? null,
    quantity: row?.quantity ?? null,
    unit: row?.unit ?? null,
    producedAt: row?.producedAt ?? null,
    eventId: row?.eventId ?? null,
    depth,
    flags,
  };
}

/** The flags of any batch among the rows, each answered without scanning the rows again. */
export function batchFlagger(
  rows: Pick<TraceRows, 'inspections' | 'recalledBatchIds'>,
): (batchId: string) => BatchFlags {
  const failed = new Set(
    rows.inspections.filter((row) => row.result === 'FAIL').map((row) => row.batchId),
  );
  return (batchId) => ({
    recalled: rows.recalledBatchIds.has(batchId),
    failedInspection: failed.has(batchId),
  });
}

function uniqueDerivations(rows: readonly DerivationRow[]): TraceDerivation[] {
  const unique = new Map(
    rows.map((row) => [`${row.input}\u0000${row.output}\u0000${row.eventId}`, row]),
  );
  return [...unique.values()]
    .map((row): TraceDerivation => ({
      input: row.input,
      output: row.output,
      eventId: row.eventId,
      party: row.party,
      operator: row.operator,
      quantity: row.quantity,
      unit: row.unit,
      at: row.at,
    }))
    .sort(
      (a, b) =>
        compare(a.at, b.at) ||
        compare(a.input, b.input) ||
        compare(a.output, b.output) ||
        compare(a.eventId, b.eventId),
    );
}

const lineKey = (row: { shipmentId: string; batchId: string }) =>
  `${row.shipmentId}\u0000${row.batchId}`;

/**
 * Joins receipts to shipment lines by shipment id and batch id. A line received several times
 * (partial deliveries) counts as received at its first receipt; a receipt that matches no
 * shipment is kept as a line of its own, since custody still arrived somewhere.
 */
export function matchShipments(
  shipments: readonly ShipmentRow[],
  receipts: readonly ReceiptRow[],
): TraceShipment[] {
  const receiptsOf = new Map<string, ReceiptRow[]>();
  for (const receipt of [...receipts].sort((a, b) => compare(a.receivedAt, b.receivedAt))) {
    const key = lineKey(receipt);
    const list = receiptsOf.get(key);
    if (list) list.push(receipt);
    else receiptsOf.set(key, [receipt]);
  }
  const claimed = new Set<ReceiptRow[]>();
  const shipped = shipments.map((shipment): TraceShipment => {
    const matched = receiptsOf.get(lineKey(shipment)) ?? [];
    if (matched.length > 0) claimed.add(matched);
    return {
      shipmentId: shipment.shipmentId,
      batchId: shipment.batchId,
      from: shipment.from,
      to: shipment.to,
      quantity: shipment.quantity,
      unit: shipment.unit,
      shippedAt: shipment.shippedAt,
      receivedAt: matched[0]?.receivedAt ?? null,
      receivedQuantity: matched.length > 0 ? matched.reduce((sum, r) => sum + r.quantity, 0) : null,
      operator: shipment.operator,
      eventIds: [shipment.eventId, ...matched.map((receipt) => receipt.eventId)],
    };
  });
  // The lines no shipment claimed; the sort below gives every line its place.
  const unmatched = [...receiptsOf.values()]
    .filter((list) => !claimed.has(list))
    .flat()
    .map(receiptOnly);
  return [...shipped, ...unmatched].sort(compareShipments);
}

function receiptOnly(receipt: ReceiptRow): TraceShipment {
  return {
    shipmentId: receipt.shipmentId,
    batchId: receipt.batchId,
    from: receipt.from,
    to: receipt.receiver,
    quantity: receipt.quantity,
    unit: receipt.unit,
    shippedAt: null,
    receivedAt: receipt.receivedAt,
    receivedQuantity: receipt.quantity,
    // The receiving operator is the only person the events name for this hop.
    operator: receipt.operator,
    eventIds: [receipt.eventId],
  };
}

function compareShipments(a: TraceShipment, b: TraceShipment): number {
  return (
    compare(a.shippedAt ?? a.receivedAt ?? '', b.shippedAt ?? b.receivedAt ?? '') ||
    compare(a.shipmentId, b.shipmentId) ||
    compare(a.batchId, b.batchId) ||
    compare(a.eventIds.join(','), b.eventIds.join(','))
  );
}

function inspectionView(row: InspectionRow): TraceInspection {
  return {
    inspectionId: row.inspectionId,
    batchId: row.batchId,
    inspector: row.inspector,
    kind: row.kind,
    result: row.result,
    standard: row.standard,
    report: row.report,
    findings: parseFindings(row.findings),
    at: row.at,
    eventId: row.eventId,
  };
}

/** The projector stores findings as JSON text; anything unreadable is shown as it was stored. */
function parseFindings(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Party id → what it did in the trace, from the rows of the trace's batches. */
export function partyInvolvements(
  rows: Pick<TraceRows, 'batches' | 'receipts' | 'inspections'>,
  shipments: readonly TraceShipment[],
): Map<string, Set<Involvement>> {
  const involvements = new Map<string, Set<Involvement>>();
  const add = (partyId: string, involvement: Involvement) => {
    const set = involvements.get(partyId) ?? new Set<Involvement>();
    involvements.set(partyId, set.add(involvement));
  };
  for (const batch of rows.batches) add(batch.producer, batch.hasInputs ? 'processor' : 'producer');
  // A receipt's own `from` is the receiver's claim: it makes a shipper only when no shipment
  // matches the receipt (matchShipments then shows the receipt as the shipment).
  for (const shipment of shipments) {
    add(shipment.from, 'shipper');
    add(shipment.to, 'receiver');
  }
  for (const receipt of rows.receipts) add(receipt.receiver, 'receiver');
  for (const inspection of rows.inspections) add(inspection.inspector, 'inspector');
  return involvements;
}

/** The parties in id order, with what each did; unnamed until `nameParties`. */
function partyViews(involvements: ReadonlyMap<string, ReadonlySet<Involvement>>): TraceParty[] {
  return [...involvements]
    .sort(([a], [b]) => compare(a, b))
    .map(([partyId, set]) => ({
      partyId,
      name: null,
      involvement: INVOLVEMENTS.filter((involvement) => set.has(involvement)),
    }));
}

/**
 * The trace with its parties' names. Assembly says who the parties are (matching thousands of
 * shipment lines once); their names are then fetched for those ids alone.
 */
export function nameParties(
  trace: AssembledTrace,
  names: ReadonlyMap<string, string>,
): AssembledTrace {
  return {
    ...trace,
    parties: trace.parties.map(({ partyId, involvement }) => ({
      partyId,
      name: names.get(partyId) ?? null,
      involvement,
    })),
  };
}

/** Code-unit order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
