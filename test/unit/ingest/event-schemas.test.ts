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
