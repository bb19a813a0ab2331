/**
 * Pure projection from events to the rows of the trace tables (infra/clickhouse/). Every row
 * carries its event id, so projecting an event twice writes rows the tables collapse.
 */
import type { SuyuanEvent } from '../events/event-types.generated.js';
import { fingerprintEvent } from '../events/fingerprint.js';
import { batchesNamedBy } from '../events/keys.js';
import type { EventLog } from '../log/event-log.js';
import {
  emptyEpcisRows,
  projectEpcisCaptured,
  projectNativeForEpcis,
  type EpcisTable,
} from './epcis-projection.js';

export type ProjectionTable =
  | 'events'
  | 'event_index'
  | 'batch_events'
  | 'batches'
  | 'derivations_by_input'
  | 'shipments'
  | 'receipts'
  | 'inspections'
  | 'defects'
  | 'recall_batches'
  | 'recalls'
  | 'recall_closures'
  | 'recall_notices'
  | 'notice_answers'
  | 'retractions'
  | EpcisTable;

export type ProjectionRows = Record<ProjectionTable, Array<Record<string, unknown>>>;

export function emptyRows(): ProjectionRows {
  return {
    events: [],
    event_index: [],
    batch_events: [],
    batches: [],
    derivations_by_input: [],
    shipments: [],
    receipts: [],
    inspections: [],
    defects: [],
    recall_batches: [],
    recalls: [],
    recall_closures: [],
    recall_notices: [],
    notice_answers: [],
    retractions: [],
    ...emptyEpcisRows(),
  };
}

export interface ProjectOptions {
  /**
   * Whether to make the `event_index` rows (default true). Their body hash is a fingerprint of
   * the event, which the store keeps to settle idempotency where the log does not (Kafka); the
   * serving index, and the store beside a log that settles identity, have no use for them.
   */
  readonly eventIndex?: boolean;
}

/** The rows for the serving index: all but `event_index`. */
export const FOR_SERVING: ProjectOptions = { eventIndex: false };

/**
 * The store's rows beside `log`, as the projector and replay write them: `event_index` settles
 * idempotency where the log cannot (Kafka); beside a log that settles identity (the embedded one)
 * nothing reads it, and it cost a fingerprint per event and a tenth of each batch's inserts.
 */
export const forStoreBeside = (log: Pick<EventLog, 'identities'>): ProjectOptions =>
  log.identities ? { eventIndex: false } : {};

/** The events' rows, added to `rows` when given (a batch projected in slices). */
export function projectEvents(
  events: readonly SuyuanEvent[],
  options: ProjectOptions = {},
  rows: ProjectionRows = emptyRows(),
): ProjectionRows {
  const eventIndex = options.eventIndex ?? true;
  for (const event of events) projectEvent(event, rows, eventIndex);
  return rows;
}

function projectEvent(event: SuyuanEvent, rows: ProjectionRows, eventIndex: boolean): void {
  projectCommon(event, rows, eventIndex);
  projectNativeForEpcis(event, rows);
  switch (event.eventType) {
    case 'BatchProduced':
      return projectProduced(event, rows);
    case 'BatchShipped':
      return projectShipped(event, rows);
    case 'BatchReceived':
      return projectReceived(event, rows);
    case 'InspectionRecorded':
      return projectInspection(event, rows);
    case 'DefectReported':
      return projectDefect(event, rows);
    case 'RecallInitiated':
      projectRecallBatches(event, event.rootBatchIds, event.recallId, rows);
      return projectRecall(event, rows);
    case 'RecallNoticeIssued':
      projectRecallBatches(
        event,
        event.batches.map((line) => line.batchId),
        event.recallId,
        rows,
      );
      return projectNotice(event, rows);
    case 'RecallAcknowledged':
    case 'RecallProgressReported':
      return projectAnswer(event, rows);
    case 'RecallClosed':
      rows.recall_closures.push({
        recall_id: event.recallId,
        event_id: event.eventId,
        closed_by: event.party,
        reason: event.reason,
        closed_at: event.eventTime,
      });
      return;
    case 'EventRetracted':
      rows.retractions.push({
        target_event_id: event.targetEventId,
        event_id: event.eventId,
        party: event.party,
        reason: event.reason,
        at: event.eventTime,
      });
      return;
    case 'EpcisEventCaptured':
      return projectEpcisCaptured(event, rows);
  }
}

type EventOf<T extends SuyuanEvent['eventType']> = Extract<SuyuanEvent, { eventType: T }>;

function projectCommon(event: SuyuanEvent, rows: ProjectionRows, eventIndex: boolean): void {
  rows.events.push({
    event_id: event.eventId,
    event_type: event.eventType,
    event_time: event.eventTime,
    recorded_at: event.recordedAt,
    party: event.party,
    operator: event.operator,
    location_gln: event.location?.gln ?? null,
    location_site_id: event.location?.siteId ?? null,
    location_name: event.location?.name ?? null,
    payload: JSON.stringify(event),
  });
  if (eventIndex)
    rows.event_index.push({
      event_id: event.eventId,
      body_hash: fingerprintEvent(event),
      party: event.party,
      recorded_at: event.recordedAt,
    });
  for (const batchId of new Set(batchesNamedBy(event))) {
    rows.batch_events.push({
      batch_id: batchId,
      event_time: event.eventTime,
      event_id: event.eventId,
      event_type: event.eventType,
      party: event.party,
    });
  }
}

function projectProduced(event: EventOf<'BatchProduced'>, rows: ProjectionRows): void {
  rows.batches.push({
    batch_id: event.batchId,
    event_id: event.eventId,
    product_id: event.product.id,
    product_name: event.product.name,
    producer: event.party,
    operator: event.operator,
    quantity: event.quantity,
    unit: event.unit,
    produced_at: event.eventTime,
    recorded_at: event.recordedAt,
    region: event.location?.region ?? null,
  });
  for (const input of event.inputs) {
    rows.derivations_by_input.push({
      input_batch_id: input.batchId,
      output_batch_id: event.batchId,
      event_id: event.eventId,
      party: event.party,
      operator: event.operator,
      quantity: input.quantity,
      unit: input.unit,
      at: event.eventTime,
    });
  }
}

function projectShipped(event: EventOf<'BatchShipped'>, rows: ProjectionRows): void {
  for (const line of event.lines) {
    rows.shipments.push({
      batch_id: line.batchId,
      shipment_id: event.shipmentId,
      event_id: event.eventId,
      from_party: event.party,
      to_party: event.to,
      operator: event.operator,
      quantity: line.quantity,
      unit: line.unit,
      shipped_at: event.eventTime,
      reference_documents: referenceDocuments(event),
    });
  }
}

function projectReceived(event: EventOf<'BatchReceived'>, rows: ProjectionRows): void {
  for (const line of event.lines) {
    rows.receipts.push({
      batch_id: line.batchId,
      shipment_id: event.shipmentId,
      event_id: event.eventId,
      receiver: event.party,
      from_party: event.from,
      operator: event.operator,
      quantity: line.quantity,
      unit: line.unit,
      received_at: event.eventTime,
      reference_documents: referenceDocuments(event),
    });
  }
}

/** A shipment's or receipt's documents, as the `Array(Tuple(type, number))` column holds them. */
const referenceDocuments = (event: EventOf<'BatchShipped' | 'BatchReceived'>) =>
  event.referenceDocuments.map(({ type, number }) => ({ type, number }));

function projectInspection(event: EventOf<'InspectionRecorded'>, rows: ProjectionRows): void {
  rows.inspections.push({
    batch_id: event.batchId,
    inspection_id: event.inspectionId ?? event.eventId,
    event_id: event.eventId,
    inspector: event.party,
    operator: event.operator,
    kind: event.kind,
    result: event.result,
    standard: event.standard,
    report: event.report,
    findings: JSON.stringify(event.findings),
    hazard: event.hazard,
    at: event.eventTime,
  });
}

function projectDefect(event: EventOf<'DefectReported'>, rows: ProjectionRows): void {
  const complaint = event.complaint;
  for (const batchId of new Set(event.batchIds)) {
    rows.defects.push({
      batch_id: batchId,
      defect_id: event.defectId,
      event_id: event.eventId,
      reporter: event.party,
      source: event.source,
      severity: event.severity,
      hazard: event.hazard,
      at: event.eventTime,
      // A consumer complaint's record (v2), null in every column for a report without one.
      complaint_channel: complaint?.channel ?? null,
      complaint_received_at: complaint?.receivedAt ?? null,
      complaint_region: complaint?.region ?? null,
      purchase_place: complaint?.purchasePlace ?? null,
      units_affected: complaint?.unitsAffected ?? null,
      illness_reported: complaint?.illnessReported ?? null,
      complaint_reference: complaint?.reference ?? null,
    });
  }
}

function projectRecallBatches(
  event: SuyuanEvent,
  batchIds: readonly string[],
  recallId: string,
  rows: ProjectionRows,
): void {
  for (const batchId of new Set(batchIds)) {
    rows.recall_batches.push({
      batch_id: batchId,
      recall_id: recallId,
      event_id: event.eventId,
      at: event.eventTime,
    });
  }
}

function projectRecall(event: EventOf<'RecallInitiated'>, rows: ProjectionRows): void {
  rows.recalls.push({
    recall_id: event.recallId,
    event_id: event.eventId,
    initiated_by: event.party,
    level: event.level,
    mode: event.mode,
    reason: event.reason,
    root_batch_ids: event.rootBatchIds,
    started_at: event.eventTime,
    recorded_at: event.recordedAt,
  });
}

function projectNotice(event: EventOf<'RecallNoticeIssued'>, rows: ProjectionRows): void {
  rows.recall_notices.push({
    notice_id: event.noticeId,
    recall_id: event.recallId,
    recipient: event.recipient,
    event_id: event.eventId,
    batches: JSON.stringify(event.batches),
    actions: event.actions,
    deadline: event.deadline,
    issued_at: event.eventTime,
  });
}

function projectAnswer(
  event: EventOf<'RecallAcknowledged'> | EventOf<'RecallProgressReported'>,
  rows: ProjectionRows,
): void {
  const progress = event.eventType === 'RecallProgressReported' ? event : undefined;
  rows.notice_answers.push({
    notice_id: event.noticeId,
    event_id: event.eventId,
    kind: progress ? 'PROGRESS' : 'ACK',
    party: event.party,
    recovered: progress?.recovered ?? 0,
    destroyed: progress?.destroyed ?? 0,
    unit: progress?.unit ?? null,
    note: event.note,
    at: event.eventTime,
  });
}
