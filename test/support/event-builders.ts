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

export const defectReported = (defectId: string, batchIds: string[], severity = 'MINOR') => ({
  ...base('DefectReported'),
  defectId,
  batchIds,
  source: 'COMPLAINT',
  severity,
  hazard: 'mislabelled allergen',
});

export const recallInitiated = (
  recallId: string,
  rootBatchIds: string[],
  mode: 'VOLUNTARY' | 'ORDERED',
  level = 3,
) => ({
  ...base('RecallInitiated'),
  recallId,
  rootBatchIds,
  level,
  mode,
  reason: 'test recall',
});

export const acknowledged = (noticeId: string) => ({ ...base('RecallAcknowledged'), noticeId });

export const progressReported = (noticeId: string, recovered: number, destroyed = 0) => ({
  ...base('RecallProgressReported'),
  noticeId,
  recovered,
  destroyed,
  unit: 'kg',
});

export const recallClosed = (recallId: string) => ({
  ...base('RecallClosed'),
  recallId,
  reason: 'done',
});
