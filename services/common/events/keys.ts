import type { SuyuanEvent } from './event-types.generated.js';

/**
 * The log key of an event: its primary batch where it has one, so one batch's events stay in
 * order on one partition; otherwise the recall or notice it belongs to.
 */
export function logKeyOf(event: SuyuanEvent): string {
  switch (event.eventType) {
    case 'BatchProduced':
    case 'InspectionRecorded':
      return event.batchId;
    case 'BatchShipped':
    case 'BatchReceived':
      return event.lines[0]?.batchId ?? event.shipmentId;
    case 'DefectReported':
      return event.batchIds[0] ?? event.defectId;
    case 'RecallInitiated':
      return event.rootBatchIds[0] ?? event.recallId;
    case 'RecallNoticeIssued':
    case 'RecallClosed':
      return event.recallId;
    case 'RecallAcknowledged':
    case 'RecallProgressReported':
      return event.noticeId;
    case 'EventRetracted':
      return event.targetEventId;
    case 'EpcisEventCaptured':
      // An event and its error declaration share the key, so they stay in order.
      return event.epcisEventId;
  }
}

/** Every batch an event names, for the per-batch timeline. */
export function batchesNamedBy(event: SuyuanEvent): string[] {
  switch (event.eventType) {
    case 'BatchProduced':
      return [event.batchId, ...event.inputs.map((input) => input.batchId)];
    case 'BatchShipped':
    case 'BatchReceived':
      return event.lines.map((line) => line.batchId);
    case 'InspectionRecorded':
      return [event.batchId];
    case 'DefectReported':
      return [...event.batchIds];
    case 'RecallInitiated':
      return [...event.rootBatchIds];
    case 'RecallNoticeIssued':
      return event.batches.map((line) => line.batchId);
    case 'RecallAcknowledged':
    case 'RecallProgressReported':
    case 'RecallClosed':
    case 'EventRetracted':
    case 'EpcisEventCaptured':
      return [];
  }
}

/** Parties an event refers to besides the acting party; each must exist. */
export function partyReferences(event: SuyuanEvent): Array<{ path: string; partyId: string }> {
  switch (event.eventType) {
    case 'BatchShipped':
      return [{ path: 'to', partyId: event.to }];
    case 'BatchReceived':
      return [{ path: 'from', partyId: event.from }];
    case 'RecallNoticeIssued':
      return [{ path: 'recipient', partyId: event.recipient }];
    default:
      return [];
  }
}
