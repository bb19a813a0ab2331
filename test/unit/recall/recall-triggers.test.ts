import { describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import { addWorkingDays, recallDeadlines } from '../../services/recall/deadlines.js';
import { noticeIdFor, planNotices } from '../../services/recall/plan-notices.js';
import { DEFAULT_RECALL_POLICY } from '../../services/recall/policy.js';
import { triggeredRecall } from '../../services/recall/recall-triggers.js';
import type { BatchRow, ReceiptRow, ShipmentRow } from '../../services/trace-api/trace-queries.js';
import { sampleEvents } from '../support/sample-events.js';

const batch = (batchId: string, producer: string, quantity = 100): BatchRow => ({
  batchId,
  eventId: `e-${batchId}`,
  productId: 'p',
  productName: 'p',
  producer,
  operator: null,
  quantity,
  unit: 'kg',
  producedAt: '2026-11-01T00:00:00.000Z',
  hasInputs: false,
});
const shipment = (
  shipmentId: string,
  batchId: string,
  from: string,
  to: string,
  quantity: number,
): ShipmentRow => ({
  shipmentId,
  batchId,
  eventId: `e-${shipmentId}-${batchId}`,
  from,
  to,
  operator: null,
  quantity,
  unit: 'kg',
  shippedAt: '2026-11-02T00:00:00.000Z',
});

describe('deadlines (食品召回管理办法)', () => {
  it('starts a level 1/2/3 recall within 24/48/72 hours', () => {
    const started = '2026-11-20T08:00:00.000Z';
    expect(recallDeadlines(1, started).startBy).toBe('2026-11-21T08:00:00.000Z');
    expect(recallDeadlines(2, started).startBy).toBe('2026-11-22T08:00:00.000Z');
    expect(recallDeadlines(3, started).startBy).toBe('2026-11-23T08:00:00.000Z');
  });

  it('completes within 10/20/30 working days, skipping weekends', () => {
    // Friday 2026-11-20 + 10 working days = Friday 2026-12-04
    expect(recallDeadlines(1, '2026-11-20T08:00:00.000Z').completeBy).toBe(
      '2026-12-04T08:00:00.000Z',
    );
    expect(addWorkingDays(new Date('2026-11-21T00:00:00Z'), 1).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    expect(recallDeadlines(3, '2026-11-20T08:00:00.000Z').completeBy).toBe(
      '2027-01-01T08:00:00.000Z',
    );
  });
});

describe('recall triggers under the default policy', () => {
  const [, , , inspection, defect] = sampleEvents();

  it('opens a level 1 recall of the batches of a CRITICAL defect, dated when it was reported', () => {
    const recall = triggeredRecall(DEFAULT_RECALL_POLICY, defect!, 'suyuan');
    expect(recall).toMatchObject({
      recallId: 'RC-D-1',
      rootBatchIds: ['B-1'],
      level: 1,
      eventTime: defect!.recordedAt,
      party: 'suyuan',
    });
    expect(triggeredRecall(DEFAULT_RECALL_POLICY, defect!, 'suyuan')).toEqual(recall);
  });

  it('records a MINOR defect as a risk signal only', () => {
    expect(
      triggeredRecall(
        DEFAULT_RECALL_POLICY,
        { ...defect!, severity: 'MINOR' } as SuyuanEvent,
        'suyuan',
      ),
    ).toBeUndefined();
  });

  it('orders a recall on a failed supervisory sampling, and ignores other inspections', () => {
    expect(triggeredRecall(DEFAULT_RECALL_POLICY, inspection!, 'suyuan')).toMatchObject({
      mode: 'ORDERED',
      level: 2,
      rootBatchIds: ['B-1'],
    });
    expect(
      triggeredRecall(
        DEFAULT_RECALL_POLICY,
        { ...inspection!, kind: 'SELF_CHECK' } as SuyuanEvent,
        'suyuan',
      ),
    ).toBeUndefined();
    expect(
      triggeredRecall(
        DEFAULT_RECALL_POLICY,
        { ...inspection!, result: 'PASS' } as SuyuanEvent,
        'suyuan',
      ),
    ).toBeUndefined();
  });
});

describe('planning notices', () => {
  it('gives one notice to every party that produced, shipped or was shipped an affected batch', () => {
    const receipts: ReceiptRow[] = [];
    const notices = planNotices({
      affected: new Set(['RAW', 'POWDER']),
      batches: [batch('RAW', 'farm', 1000), batch('POWDER', 'plant', 120), batch('OTHER', 'plant')],
      shipments: [
        shipment('S1', 'RAW', 'farm', 'plant', 900),
        shipment('S2', 'POWDER', 'plant', 'dist', 40),
        shipment('S3', 'POWDER', 'plant', 'dist', 20),
        shipment('S4', 'POWDER', 'dist', 'shop', 10),
        shipment('S5', 'OTHER', 'plant', 'elsewhere', 5),
      ],
      receipts,
    });
    expect(notices.map((n) => n.recipient)).toEqual(['dist', 'farm', 'plant', 'shop']);
    const lines = Object.fromEntries(notices.map((n) => [n.recipient, n.batches]));
    expect(lines.dist).toEqual([{ batchId: 'POWDER', quantity: 60, unit: 'kg' }]);
    expect(lines.plant).toEqual([
      { batchId: 'POWDER', quantity: 120, unit: 'kg' },
      { batchId: 'RAW', quantity: 900, unit: 'kg' },
    ]);
    expect(notices.find((n) => n.recipient === 'shop')?.actions).toEqual([
      'STOP_SALE',
      'QUARANTINE',
      'RETURN_OR_DESTROY',
    ]);
    expect(notices.find((n) => n.recipient === 'plant')?.actions).toContain('NOTIFY_CUSTOMERS');
  });

  it('derives one notice id per recall and recipient', () => {
    expect(noticeIdFor('R-1', 'dist')).toBe(noticeIdFor('R-1', 'dist'));
    expect(noticeIdFor('R-1', 'dist')).not.toBe(noticeIdFor('R-1', 'shop'));
    expect(noticeIdFor('R-1', 'dist')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
