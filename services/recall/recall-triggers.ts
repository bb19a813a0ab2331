/**
 * Pure: the recall a signal opens under the policy, if any. The recall's ids and times derive
 * from the signal, so opening it twice (replay, crash) yields the very same event.
 */
import { defectReason, samplingReason } from './recall-reasons.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { stableUuid } from '../common/stable-id.js';
import { levelForDefect, levelForInspection, type RecallPolicy } from '../common/recall-policy.js';

type RecallInitiated = Extract<SuyuanEvent, { eventType: 'RecallInitiated' }>;

export function triggeredRecall(
  policy: RecallPolicy,
  signal: SuyuanEvent,
  systemPartyId: string,
): RecallInitiated | undefined {
  const opening = (
    recallId: string,
    fields: Pick<RecallInitiated, 'rootBatchIds' | 'level' | 'mode' | 'reason'>,
  ): RecallInitiated => ({
    eventType: 'RecallInitiated',
    eventId: stableUuid(`recall-opened-by/${signal.eventId}`),
    // The clock of a recall starts when the platform learnt of the risk.
    eventTime: signal.recordedAt,
    recordedAt: signal.recordedAt,
    party: systemPartyId,
    location: null,
    operator: null,
    epcisEventId: null,
    recallId,
    ...fields,
  });
  if (signal.eventType === 'DefectReported') {
    const level = levelForDefect(policy, signal.severity);
    if (level === null) return undefined; // recorded as a risk signal only
    return opening(`RC-${signal.defectId}`, {
      rootBatchIds: [...new Set(signal.batchIds)],
      level,
      mode: 'VOLUNTARY',
      // The reason reaches every recipient: it names no party (the reporter may be anywhere on
      // the chain, and a recipient sees only one step around itself).
      reason: defectReason(signal.severity, signal.defectId, signal.hazard),
    });
  }
  if (signal.eventType === 'InspectionRecorded') {
    const level = levelForInspection(policy, signal);
    if (level === null) return undefined;
    const findings = signal.findings.map(
      (f) => `${f.item} ${f.value}${f.limit ? ` (limit ${f.limit})` : ''}`,
    );
    return opening(`RC-${signal.inspectionId ?? signal.eventId}`, {
      rootBatchIds: [signal.batchId],
      level,
      mode: 'ORDERED',
      reason: samplingReason(findings),
    });
  }
  return undefined;
}
