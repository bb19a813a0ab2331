import { describe, expect, it } from 'vitest';
import { SuyuanError } from '../../../services/common/errors.js';
import {
  MAX_EVENTS_PER_REQUEST,
  parseSubmission,
} from '../../../services/ingest/parse-submission.js';

const shipped = (overrides: Record<string, unknown> = {}) => ({
  eventId: '3f1c2a4e-9b7d-4c1e-8f00-0a1b2c3d4e5f',
  eventType: 'BatchShipped',
  eventTime: '2026-11-20T16:00:00+08:00',
  shipmentId: 'S-1',
  to: 'retailer-7',
  lines: [{ batchId: 'B-1', quantity: 40, unit: 'kg' }],
  ...overrides,
});

function rejection(body: unknown): SuyuanError {
  try {
    parseSubmission(body, 'plant-1');
  } catch (error) {
    if (error instanceof SuyuanError) return error;
    throw error;
  }
  throw new Error('expected the submission to be rejected');
}

describe('parseSubmission', () => {
  it('accepts one event, stamps the caller as party and normalises time to UTC', () => {
    const [event] = parseSubmission(shipped(), 'plant-1');
    expect(event).toMatchObject({
      eventType: 'BatchShipped',
      party: 'plant-1',
      eventTime: '2026-11-20T08:00:00.000Z',
      location: null,
      operator: null,
    });
  });

  it('accepts { events: [...] } and keeps the order', () => {
    const body = {
      events: [shipped(), shipped({ eventId: '3f1c2a4e-9b7d-4c1e-8f00-0a1b2c3d4e60' })],
    };
    expect(parseSubmission(body, 'plant-1').map((e) => e.eventId.slice(-2))).toEqual(['5f', '60']);
  });

  it('names a missing field, with the index and eventId of the event', () => {
    const { shipmentId: _omit, ...withoutShipment } = shipped();
    const error = rejection({ events: [shipped(), withoutShipment] });
    expect(error.code).toBe('invalid_event');
    expect(error.message).toBe('events[1].shipmentId: is required');
    expect(error.details).toEqual([
      { index: 1, eventId: withoutShipment.eventId, path: 'shipmentId', message: 'is required' },
    ]);
  });

  it('names a nested field of the wrong type or range', () => {
    expect(
      rejection(shipped({ lines: [{ batchId: 'B-1', quantity: '40', unit: 'kg' }] })).details?.[0]
        ?.path,
    ).toBe('lines[0].quantity');
    expect(
      rejection(shipped({ lines: [{ batchId: 'B-1', quantity: 0, unit: 'kg' }] })).message,
    ).toBe('events[0].lines[0].quantity: must be greater than 0');
  });

  it('rejects an unknown event type, listing the known ones', () => {
    expect(rejection(shipped({ eventType: 'BatchTeleported' })).message).toMatch(
      /^events\[0\]\.eventType: unknown event type; one of BatchProduced, /,
    );
  });

  it('rejects unknown fields rather than dropping them', () => {
    expect(rejection(shipped({ carrier: 'SF Express' })).message).toBe(
      'events[0].carrier: unknown field',
    );
  });

  it('rejects recordedAt, which only the server sets', () => {
    expect(rejection(shipped({ recordedAt: '2026-11-20T08:00:00Z' })).details?.[0]?.path).toBe(
      'recordedAt',
    );
  });

  it('refuses a party other than the caller with 403, and accepts the caller itself', () => {
    expect(rejection(shipped({ party: 'someone-else' })).code).toBe('forbidden');
    expect(parseSubmission(shipped({ party: 'plant-1' }), 'plant-1')).toHaveLength(1);
  });

  it('rejects an eventTime far in the future and a time that is not RFC 3339', () => {
    const future = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
    expect(rejection(shipped({ eventTime: future })).details?.[0]?.path).toBe('eventTime');
    expect(rejection(shipped({ eventTime: '20/11/2026' })).details?.[0]?.path).toBe('eventTime');
  });

  it('rejects a batch listed twice in one shipment', () => {
    const line = { batchId: 'B-1', quantity: 1, unit: 'kg' };
    expect(rejection(shipped({ lines: [line, line] })).details?.[0]?.path).toBe('lines[1].batchId');
  });

  it('bounds the number of events per request', () => {
    const events = Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => shipped());
    expect(rejection({ events }).message).toBe(
      'events: at most 1000 events per request (got 1001)',
    );
    expect(rejection({ events: [] }).message).toBe('events: must hold at least one event');
  });

  it('rejects a body that is not an event object', () => {
    expect(rejection([shipped()]).message).toMatch(/^body:/);
    expect(rejection('hello').message).toMatch(/^body:/);
    expect(rejection({ events: [shipped()], extra: 1 }).message).toMatch(/^extra:/);
  });

  it('validates every event type with its own fields', () => {
    const produced = {
      eventId: '3f1c2a4e-9b7d-4c1e-8f00-0a1b2c3d4e61',
      eventType: 'BatchProduced',
      eventTime: '2026-11-20T08:00:00Z',
      batchId: 'B-2',
      product: { id: '06901234567892', name: 'milk powder' },
      quantity: 10,
      unit: 'kg',
    };
    expect(parseSubmission(produced, 'plant-1')[0]).toMatchObject({ inputs: [] });
    expect(rejection({ ...produced, product: { id: 'x' } }).details?.[0]?.path).toBe(
      'product.name',
    );
    const recall = {
      ...produced,
      eventType: 'RecallInitiated',
      recallId: 'R-1',
      rootBatchIds: ['B-2'],
      level: 4,
      mode: 'ORDERED',
      reason: 'x',
    };
    const { batchId: _b, product: _p, quantity: _q, unit: _u, ...recallFields } = recall;
    expect(rejection(recallFields).details?.[0]).toMatchObject({
      path: 'level',
      message: 'must be 1, 2 or 3',
    });
  });
});
