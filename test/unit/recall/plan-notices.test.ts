import { describe, expect, it } from 'vitest';
import type {
  BatchRow,
  ReceiptRow,
  ShipmentRow,
} from '../../../services/common/trace/trace-reads.js';
import { noticeIdFor, planNotices } from '../../../services/recall/plan-notices.js';

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
