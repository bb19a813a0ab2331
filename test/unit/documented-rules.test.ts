/**
 * The OpenAPI document states the rules the handlers apply, so that a client (or Schemathesis,
 * which CI runs with every check) that follows the document is not refused for a rule it could
 * not read: what the documented pattern admits, the handler admits, and the reverse.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postPartySchema } from '../../services/common/http/route-schemas.js';
import { fromZod } from '../../services/common/http/openapi-components.js';
import { SUBMITTED_EVENT_SCHEMAS } from '../../services/ingest/event-schemas.js';
import { newPartySchema } from '../../services/ingest/party-routes.js';

type Schema = { pattern?: string; properties?: Record<string, Schema> };

const documentedUrl = () => {
  const body = postPartySchema(newPartySchema).body as Schema;
  const pattern = body.properties?.webhook?.properties?.url?.pattern;
  expect(pattern).toBeDefined();
  return new RegExp(pattern ?? '', 'u');
};

const handlerTakesUrl = (url: string) =>
  newPartySchema.safeParse({ partyId: 'p', name: 'P', roles: ['submitter'], webhook: { url } })
    .success;

/**
 * A DNS label "xn--…" must be valid punycode, which no pattern can check: such a host is refused
 * (400 naming webhook.url) though the pattern admits it.
 */
const punycodeLabel = (url: string) => /[/.@]xn--/i.test(url);

describe('webhook URLs: the document and the handler agree', () => {
  it('takes every URL the documented pattern admits', () => {
    const pattern = documentedUrl();
    fc.assert(
      fc.property(fc.stringMatching(pattern), (url) => {
        fc.pre(url.length <= 2048 && !punycodeLabel(url));
        expect(handlerTakesUrl(url), url).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every URL the documented pattern does not admit', () => {
    const pattern = documentedUrl();
    const urls = fc.oneof(
      fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }),
      fc.string().map((rest) => `http://${rest}`),
      fc.string({ unit: 'binary' }).map((rest) => `https://${rest}`),
    );
    fc.assert(
      fc.property(urls, (url) => {
        if (!pattern.test(url)) expect(handlerTakesUrl(url), url).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('states what a parser would read otherwise: no bare number, no non-ASCII host, a host', () => {
    const pattern = documentedUrl();
    for (const url of ['http://0', 'http://08', 'https://Ï/hook', 'http://', 'http:///x']) {
      expect(pattern.test(url), url).toBe(false);
      expect(handlerTakesUrl(url), url).toBe(false);
    }
    for (const url of [
      'https://example.com/hook?x=1#y',
      'http://192.0.2.1:8080/hook',
      'http://[2001:db8::1]/hook',
      'http://[64:ff9b::127.0.0.1]/',
      'https://user:secret@xn--fiqs8s.example/hook',
    ]) {
      expect(pattern.test(url), url).toBe(true);
      expect(handlerTakesUrl(url), url).toBe(true);
    }
  });
});

describe('event identifiers: the document and the handler agree', () => {
  const fields = [
    ['BatchProduced', 'batchId'],
    ['BatchShipped', 'shipmentId'],
    ['BatchShipped', 'to'],
    ['RecallAcknowledged', 'noticeId'],
  ] as const;

  it.each(fields)('%s.%s: the documented pattern is the handler rule', (eventType, field) => {
    const schema = SUBMITTED_EVENT_SCHEMAS[eventType];
    const documented = (fromZod(schema) as Schema).properties?.[field];
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
