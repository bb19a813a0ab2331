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

describe('reference documents of shipments and receipts (v3)', () => {
  const shipment = {
    eventId: '00000000-0000-4000-8000-000000000001',
    eventTime: '2026-11-20T08:00:00Z',
    shipmentId: 'S-1',
    to: 'dist-1',
    lines: [{ batchId: 'B-1', quantity: 400, unit: 'kg' }],
  };
  const refusals = (eventType: 'BatchShipped' | 'BatchReceived', documents: unknown) => {
    const { to, ...receipt } = shipment;
    const body =
      eventType === 'BatchShipped'
        ? { ...shipment, referenceDocuments: documents }
        : { ...receipt, from: to, referenceDocuments: documents };
    const parsed = SUBMITTED_EVENT_SCHEMAS[eventType].safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((i) => [i.path.join('.'), i.message]);
  };

  it('are none when left out, and kept in their order when given', () => {
    expect(SUBMITTED_EVENT_SCHEMAS.BatchShipped.parse(shipment).referenceDocuments).toEqual([]);
    const documents = [
      { type: 'INVOICE', number: '发票 44031234' },
      { type: 'BILL_OF_LADING', number: 'BOL-1' },
    ];
    expect(
      SUBMITTED_EVENT_SCHEMAS.BatchShipped.parse({ ...shipment, referenceDocuments: documents })
        .referenceDocuments,
    ).toEqual(documents);
  });

  it.each(['BatchShipped', 'BatchReceived'] as const)(
    '%s: refuses a bad document, naming its field',
    (eventType) => {
      expect(refusals(eventType, [{ type: 'BOL', number: '1' }])[0]?.[0]).toBe(
        'referenceDocuments.0.type',
      );
      expect(refusals(eventType, [{ type: 'INVOICE', number: ' \u3000 ' }])).toEqual([
        ['referenceDocuments.0.number', 'must not be blank or contain control characters'],
      ]);
      expect(refusals(eventType, [{ type: 'INVOICE', number: 'x'.repeat(257) }])).toEqual([
        ['referenceDocuments.0.number', 'must be at most 256 characters'],
      ]);
      expect(refusals(eventType, [{ type: 'INVOICE' }])[0]?.[0]).toBe(
        'referenceDocuments.0.number',
      );
      expect(
        refusals(eventType, [
          { type: 'INVOICE', number: '9' },
          { type: 'BILL_OF_LADING', number: '9' },
          { type: 'INVOICE', number: '9' },
        ]),
      ).toEqual([['referenceDocuments.2', 'must not repeat a document']]);
      const many = Array.from({ length: 21 }, (_, i) => ({ type: 'OTHER', number: `${i}` }));
      expect(refusals(eventType, many)).toEqual([
        ['referenceDocuments', 'must list at most 20 documents'],
      ]);
    },
  );

  it('a number: the documented pattern is the handler rule', () => {
    const documented = (
      toOpenApi(SUBMITTED_EVENT_SCHEMAS.BatchShipped, 'input', {}) as {
        properties: Record<string, { items: Schema; uniqueItems?: boolean }>;
      }
    ).properties.referenceDocuments;
    expect(documented?.uniqueItems).toBe(true);
    const pattern = new RegExp(documented?.items.properties?.number?.pattern ?? '', 'u');
    const spaces = fc.constantFrom(' ', '\u00a0', '\u3000', '\u2003', '\ufeff', '\t', '\u0085');
    const number = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }),
      fc.array(spaces, { minLength: 1, maxLength: 8 }).map((chars) => chars.join('')),
    );
    fc.assert(
      fc.property(number, (value) => {
        const refused = refusals('BatchShipped', [{ type: 'OTHER', number: value }]).length > 0;
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
