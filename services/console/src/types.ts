/** The shapes of the API answers the console reads (README, shared/DESIGN.md §6). */
export interface BatchFlags {
  readonly recalled: boolean;
  readonly failedInspection: boolean;
}

export interface BatchView {
  readonly batchId: string;
  readonly product: { readonly id: string; readonly name: string } | null;
  readonly producer: string | null;
  readonly operator: string | null;
  readonly quantity: number | null;
  readonly unit: string | null;
  readonly producedAt: string | null;
  readonly flags: BatchFlags;
}

export interface TraceBatch extends BatchView {
  readonly depth: number;
}

export interface TraceDerivation {
  readonly input: string;
  readonly output: string;
  readonly party: string;
  readonly operator: string | null;
  readonly quantity: number;
  readonly unit: string | null;
  readonly at: string;
}

export interface TraceShipment {
  readonly shipmentId: string;
  readonly batchId: string;
  readonly from: string;
  readonly to: string;
  readonly quantity: number;
  readonly unit: string;
  readonly shippedAt: string | null;
  readonly receivedAt: string | null;
  readonly receivedQuantity: number | null;
  readonly operator: string | null;
}

export interface TraceInspection {
  readonly inspectionId: string;
  readonly batchId: string;
  readonly inspector: string;
  readonly kind: string;
  readonly result: string;
  readonly standard: string | null;
  readonly at: string;
}

export interface TraceParty {
  readonly partyId: string;
  readonly name: string | null;
  readonly involvement: string[];
}

export interface Trace {
  readonly root: string;
  readonly truncated: boolean;
  readonly redacted?: boolean;
  readonly batches: TraceBatch[];
  readonly derivations: TraceDerivation[];
  readonly shipments: TraceShipment[];
  readonly inspections: TraceInspection[];
  readonly parties: TraceParty[];
}

export interface TimelineEntry {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly party: string;
  readonly operator: string | null;
  readonly retracted: boolean;
}

export interface BatchDetail extends BatchView {
  readonly timeline: TimelineEntry[];
}

export interface BatchSearchHit {
  readonly batchId: string;
  readonly product: { readonly id: string; readonly name: string };
  readonly producer: string;
  readonly producedAt: string;
}

export interface RecallProgress {
  readonly notices: number;
  readonly delivered: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly overdue: number;
  readonly recovered: number;
  readonly destroyed: number;
  readonly handled: number;
}

export interface RecallView {
  readonly recallId: string;
  readonly level: number;
  readonly mode: string;
  readonly status: string;
  readonly reason: string;
  readonly initiatedBy: string;
  readonly startedAt: string;
  readonly deadline: string;
  readonly completeBy: string;
  readonly rootBatchIds: string[];
  readonly affectedBatchIds: string[];
  readonly progress: RecallProgress;
}

export interface NoticeView {
  readonly noticeId: string;
  readonly recipient: string;
  readonly recipientName: string | null;
  readonly batches: Array<{ batchId: string; quantity: number; unit: string | null }>;
  readonly deadline: string;
  readonly issuedAt: string;
  readonly overdue: boolean;
  readonly delivery: { readonly status: string; readonly attempts: number };
  readonly acknowledgedAt: string | null;
  readonly recovered: number;
  readonly destroyed: number;
}

export interface MockRecallView {
  readonly rootBatchIds: string[];
  readonly affectedBatchIds: string[];
  readonly parties: Array<{
    partyId: string;
    name: string | null;
    batches: Array<{ batchId: string; quantity: number; unit: string | null }>;
  }>;
  /** Every affected batch and party, including those the caller may not see. */
  readonly affectedBatchCount: number;
  readonly byTier: Array<{ tier: number | null; parties: number }>;
  readonly redacted: boolean;
  readonly truncated: boolean;
  readonly elapsedMs: number;
}
