/**
 * A webhook URL as the OpenAPI document states it and as POST /v1/parties takes it: the same, so
 * that a client (or Schemathesis, which CI runs with every check) following the document is not
 * refused for a rule it could not read, nor its URL rewritten.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toOpenApi } from '../../../../services/common/http/operations.js';
import { createPartyOperation } from '../../../../services/ingest/operations.js';

type Schema = { pattern?: string; properties?: Record<string, Schema> };

const documentedUrl = () => {
  const body = toOpenApi(createPartyOperation.body!, 'input', {}) as Schema;
  const pattern = body.properties?.webhook?.properties?.url?.pattern;
  expect(pattern).toBeDefined();
  return new RegExp(pattern ?? '', 'u');
};

const handlerTakesUrl = (url: string) =>
  createPartyOperation.body!.safeParse({
    partyId: 'p',
    name: 'P',
    roles: ['submitter'],
    webhook: { url },
  }).success;

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
      fc.webUrl({
        validSchemes: ['http', 'https'],
        withQueryParameters: true,
        withFragments: true,
      }),
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
    for (const url of [
      'http://0',
      'http://08',
      'https://Ï/hook',
      'http://',
      'http:///x',
      ' http://a',
    ]) {
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
