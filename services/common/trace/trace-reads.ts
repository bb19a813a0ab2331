/**
 * The trace read model: what the trace API and the recall scope read about batches, their
 * derivations, custody and inspections. A port, so the launchers choose where the answers come
 * from (store-trace-reads.ts asks ClickHouse); every implementation gives the same answers.
 * Lists of ids may hold duplicates and may be empty.
 */
import type { WalkDirection, WalkEdge } from './walk.js';

export interface DerivationRow {
  readonly input: string;
  readonly output: string;
  readonly eventId: string;
  readonly party: string;
  readonly operator: string | null;
  readonly quantity: number;
  readonly unit: string | null;
  readonly at: string;
}

export interface BatchRow {
  readonly batchId: string;
  readonly eventId: string;
  readonly productId: string;
  readonly productName: string;
  readonly producer: string;
  readonly operator: string | null;
  readonly quantity: number;
  readonly unit: string;
  readonly producedAt: string;
  /** True when the producing event named inputs (a transformation, 加工). */
  readonly hasInputs: boolean;
}

export interface ShipmentRow {
  readonly shipmentId: string;
  readonly batchId: string;
  readonly eventId: string;
  readonly from: string;
  readonly to: string;
  readonly operator: string | null;
  readonly quantity: number;
  readonly unit: string;
  readonly shippedAt: string;
}

export interface ReceiptRow {
  readonly shipmentId: string;
  readonly batchId: string;
  readonly eventId: string;
  readonly receiver: string;
  readonly from: string;
  readonly operator: string | null;
  readonly quantity: number;
  readonly unit: string;
  readonly receivedAt: string;
}

export interface InspectionRow {
  readonly inspectionId: string;
  readonly batchId: string;
  readonly eventId: string;
  readonly inspector: string;
  readonly operator: string | null;
  readonly kind: string;
  readonly result: string;
  readonly standard: string | null;
  readonly report: string | null;
  /** JSON text of the findings array, as the projector stored it. */
  readonly findings: string;
  readonly at: string;
}

export interface TimelineRow {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly recordedAt: string | null;
  readonly party: string;
  readonly operator: string | null;
  readonly locationGln: string | null;
  readonly locationSiteId: string | null;
  readonly locationName: string | null;
  /** JSON of the whole event; null if the events row is missing (a projection in progress). */
  readonly payload: string | null;
  readonly retracted: boolean;
}

/** A live recall naming a batch (as a root or in a notice), as the public check shows it. */
export interface BatchRecallRow {
  readonly batchId: string;
  readonly recallId: string;
  readonly level: number;
  readonly mode: string;
  readonly reason: string;
  readonly initiatedBy: string;
  readonly startedAt: string;
  /** When the earliest standing RecallClosed of it happened; null while it is open. */
  readonly closedAt: string | null;
}

/**
 * An identifier an EPCIS event named that no trace can place (a class pattern, an SSCC of unknown
 * content…), kept with the event that named it.
 */
export interface UnresolvedLinkRow {
  readonly epcisEventId: string;
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

export interface TraceReads {
  /**
   * The derivation edges leaving `batchIds` in a direction: downstream, the batches made from
   * them; upstream, the batches they were made from. Only edges of the counting BatchProduced of
   * the output batch, sorted by input, output and event id.
   */
  derivations(direction: WalkDirection, batchIds: readonly string[]): Promise<DerivationRow[]>;
  /**
   * The counting BatchProduced of each batch among `batchIds` that has one: the earliest
   * recorded, not retracted. Sorted by batch id.
   */
  batches(batchIds: readonly string[]): Promise<BatchRow[]>;
  /** Every shipment line (BatchShipped) that names one of `batchIds`, in shipping order. */
  shipments(batchIds: readonly string[]): Promise<ShipmentRow[]>;
  /** Every receipt line (BatchReceived) that names one of `batchIds`, in receiving order. */
  receipts(batchIds: readonly string[]): Promise<ReceiptRow[]>;
  /** The inspections of `batchIds`, in time order. */
  inspections(batchIds: readonly string[]): Promise<InspectionRow[]>;
  /** The batches among `batchIds` that a live recall names (as a root or in a notice). */
  recalledBatchIds(batchIds: readonly string[]): Promise<Set<string>>;
  /**
   * The live recalls naming each of `batchIds` (the ones `recalledBatchIds` counts), with what
   * their counting RecallInitiated says: sorted by batch id, start and recall id.
   */
  recalls(batchIds: readonly string[]): Promise<BatchRecallRow[]>;
  /** Whether any event, retracted or not, names the batch: the test for a 404. */
  batchIsKnown(batchId: string): Promise<boolean>;
  /** Every event that names the batch, retracted ones included and marked, in event-time order. */
  timeline(batchId: string): Promise<TimelineRow[]>;
  /**
   * The unresolved links of the EPCIS events that stood for any of `eventIds` when captured and
   * that no error declaration took back; distinct, sorted by EPCIS event, path, id and reason.
   */
  unresolvedLinks(eventIds: readonly string[]): Promise<UnresolvedLinkRow[]>;
  /**
   * The same reads for one walk and the reads that list what it found. Where the reads share one
   * thread with other requests (the serving index's), those of the walk that began first are served
   * first; a store whose statements wait their turn anyway has none.
   */
  forOneWalk?(): TraceReads;
}

/** The reads of one walk, from reads that tell walks apart, or the reads themselves. */
export const readsForOneWalk = (reads: TraceReads): TraceReads => reads.forOneWalk?.() ?? reads;

/** A derivation as an edge of the walk: from a frontier batch to its neighbour that way. */
export interface DerivationEdge extends WalkEdge {
  readonly derivation: DerivationRow;
}

/** The derivations leaving a frontier, as walk edges (the `neighbours` of walk.ts). */
export async function derivationEdges(
  reads: Pick<TraceReads, 'derivations'>,
  direction: WalkDirection,
  frontier: readonly string[],
): Promise<DerivationEdge[]> {
  const rows = await reads.derivations(direction, frontier);
  return rows.map((derivation) =>
    direction === 'downstream'
      ? { from: derivation.input, to: derivation.output, derivation }
      : { from: derivation.output, to: derivation.input, derivation },
  );
}
