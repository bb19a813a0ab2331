import { randomUUID } from 'node:crypto';

/** Builders for events as a client posts them; every call gets a fresh event id. */
let clock = Date.parse('2026-11-01T00:00:00Z');
const nextTime = () => new Date((clock += 60_000)).toISOString();

const base = (eventType: string) => ({ eventId: randomUUID(), eventType, eventTime: nextTime() });

export const produced = (
  batchId: string,
  inputs: string[] = [],
  extra: Record<string, unknown> = {},
) => ({
  ...base('BatchProduced'),
  batchId,
  product: { id: `GTIN-${batchId}`, name: `product of ${batchId}` },
  quantity: 100,
  unit: 'kg',
  inputs: inputs.map((input) => ({ batchId: input, quantity: 10, unit: 'kg' })),
  operator: `operator of ${batchId}`,
  ...extra,
});

export const shipped = (shipmentId: string, to: string, batchIds: string[], quantity = 40) => ({
  ...base('BatchShipped'),
  shipmentId,
  to,
  lines: batchIds.map((batchId) => ({ batchId, quantity, unit: 'kg' })),
});

export const received = (shipmentId: string, from: string, batchIds: string[], quantity = 40) => ({
  ...base('BatchReceived'),
  shipmentId,
  from,
  lines: batchIds.map((batchId) => ({ batchId, quantity, unit: 'kg' })),
});

export const inspected = (batchId: string, result: 'PASS' | 'FAIL', kind = 'THIRD_PARTY') => ({
  ...base('InspectionRecorded'),
  batchId,
  kind,
  result,
  findings: [
    { item: 'aflatoxin M1', value: result === 'FAIL' ? '0.8' : '0.1', limit: '0.5', unit: 'μg/kg' },
  ],
  standard: 'GB 2761-2017',
});

export const retracted = (targetEventId: string, reason = 'recorded by mistake') => ({
  ...base('EventRetracted'),
  targetEventId,
  reason,
});

/** One valid event of every type (the recall ones refer to batch B and party `to`). */
export function oneOfEveryType(batchId: string, to: string, targetEventId: string) {
  return [
    produced(batchId),
    shipped(`S-${batchId}`, to, [batchId]),
    received(`S-${batchId}`, to, [batchId]),
    inspected(batchId, 'PASS'),
    {
      ...base('DefectReported'),
      defectId: `D-${batchId}`,
      batchIds: [batchId],
      source: 'COMPLAINT',
      severity: 'MINOR',
      hazard: 'mislabelled allergen',
    },
    {
      ...base('RecallInitiated'),
      recallId: `R-${batchId}`,
      rootBatchIds: [batchId],
      level: 3,
      mode: 'VOLUNTARY',
      reason: 'label',
    },
    {
      ...base('RecallNoticeIssued'),
      noticeId: `N-${batchId}`,
      recallId: `R-${batchId}`,
      recipient: to,
      batches: [{ batchId, quantity: 40, unit: 'kg' }],
      deadline: '2026-12-01T00:00:00Z',
    },
    { ...base('RecallAcknowledged'), noticeId: `N-${batchId}` },
    {
      ...base('RecallProgressReported'),
      noticeId: `N-${batchId}`,
      recovered: 30,
      destroyed: 5,
      unit: 'kg',
    },
    { ...base('RecallClosed'), recallId: `R-${batchId}`, reason: 'done' },
    retracted(targetEventId),
  ];
}
