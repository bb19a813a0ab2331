/**
 * An event's identifiers as the OpenAPI document states them and as POST /v1/events takes them:
 * the rule against control characters is a pattern, so the document says it too (Schemathesis,
 * run in CI with every check, found events the document allowed and the handler refused).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toOpenApi } from '../../../services/common/http/operations.js';
import { SUBMITTED_EVENT_SCHEMAS } from '../../../services/ingest/event-schemas.js';

type Schema = { pattern?: string; properties?: Record<string, Schema> };

describe('event identifiers: the document and the handler agree', () => {
  const fields = [
    ['BatchProduced', 'batchId'],
    ['BatchShipped', 'shipmentId'],
    ['BatchShipped', 'to'],
    ['RecallAcknowledged', 'noticeId'],
  ] as const;

  it.each(fields)('%s.%s: the documented pattern is the handler rule', (eventType, field) => {
    const schema = SUBMITTED_EVENT_SCHEMAS[eventType];
    const documented = (toOpenApi(schema, 'input', {}) as Schema).properties?.[field];
    expect(documented?.pattern, 'a documented pattern').toBeDefined();
    const pattern = new RegExp(documented?.pattern ?? '', 'u');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }), (value) => {
        const parsed = schema.safeParse({ [field]: value });
        const refused = !parsed.success && parsed.error.issues.some((i) => i.path[0] === field);
        expect(refused, JSON.stringify(value)).toBe(!pattern.test(value));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("a defect report's complaint (DefectReported v2)", () => {
  const schema = SUBMITTED_EVENT_SCHEMAS.DefectReported;
  const complaint = {
    channel: 'HOTLINE_12315',
    receivedAt: '2026-11-19T15:30:00Z',
    region: '330106',
    illnessReported: true,
  };
  const report = (fields: object) => ({
    eventId: '00000000-0000-4000-8000-000000000005',
    eventTime: '2026-11-20T08:00:00Z',
    defectId: 'D-1',
    batchIds: ['B-1'],
    source: 'COMPLAINT',
    severity: 'MAJOR',
    hazard: '异物 foreign body',
    ...fields,
  });
  /** The paths of the problems, dotted, or [] when it parses. */
  const refused = (fields: object) => {
    const parsed = schema.safeParse(report(fields));
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
  };

  it('takes a complaint with only what it must carry, the rest null', () => {
    const parsed = schema.parse(report({ complaint }));
    expect(parsed.complaint).toEqual({
      ...complaint,
      receivedAt: '2026-11-19T15:30:00.000Z',
      purchasePlace: null,
      unitsAffected: null,
      reference: null,
    });
    expect(schema.parse(report({})).complaint).toBeNull();
  });

  it('refuses a complaint on a report that is not a COMPLAINT, naming complaint', () => {
    expect(refused({ source: 'INSPECTION', complaint })).toEqual(['complaint']);
    expect(refused({ source: 'INCIDENT', complaint: null })).toEqual([]);
  });

  it.each([
    ['region', { region: '3301' }],
    ['region', { region: 'Hangzhou' }],
    ['channel', { channel: '12315' }],
    ['unitsAffected', { unitsAffected: 0 }],
    ['unitsAffected', { unitsAffected: 1.5 }],
    ['illnessReported', { illnessReported: 'yes' }],
    ['receivedAt', { receivedAt: 'yesterday' }],
    ['reference', { reference: 'A\u0000' }],
    ['consumerName', { consumerName: '张三' }],
  ])('refuses a bad complaint.%s', (field, change) => {
    expect(refused({ complaint: { ...complaint, ...change } })).toEqual([
      field === 'consumerName' ? 'complaint' : `complaint.${field}`,
    ]);
  });
});
