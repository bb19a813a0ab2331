/**
 * A webhook secret's form, as the OpenAPI document states it (one pattern) and as the Standard
 * Webhooks rule decides it (padded base64 of 24 to 64 bytes): the same, so a client following the
 * document is not refused (Schemathesis, run in CI with every check, found the form unstated).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isStandardWebhookSecret,
  STANDARD_WEBHOOK_SECRET,
} from '../../../../services/common/access/api-keys.js';
import { toOpenApi } from '../../../../services/common/http/operations.js';
import { createPartyOperation } from '../../../../services/ingest/operations.js';

const base64Char = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ '.split(''),
);

const secrets = fc.oneof(
  // Keys of every size around the bounds, encoded as the libraries do.
  fc
    .uint8Array({ minLength: 20, maxLength: 70 })
    .map((key) => `whsec_${Buffer.from(key).toString('base64')}`),
  // And near misses: any characters, padding anywhere, another prefix.
  fc.string({ unit: base64Char, minLength: 28, maxLength: 96 }).map((text) => `whsec_${text}`),
  fc.string({ unit: base64Char, maxLength: 96 }),
);

describe('a webhook secret', () => {
  it('matches the documented pattern exactly when it is in the Standard Webhooks form', () => {
    fc.assert(
      fc.property(secrets, (secret) => {
        expect(STANDARD_WEBHOOK_SECRET.test(secret), secret).toBe(isStandardWebhookSecret(secret));
      }),
      { numRuns: 3000 },
    );
  });

  it('is taken by POST /v1/parties exactly when its document admits it', () => {
    type Body = { properties: { webhook: { properties: { secret: { pattern: string } } } } };
    const body = createPartyOperation.body!;
    const documented = (toOpenApi(body, 'input', {}) as Body).properties.webhook.properties.secret;
    const pattern = new RegExp(documented.pattern, 'u');
    fc.assert(
      fc.property(secrets, (secret) => {
        const party = { partyId: 'p', name: 'P', roles: ['submitter'] };
        const webhook = { url: 'https://1.1.1.1/hook', secret };
        expect(body.safeParse({ ...party, webhook }).success, secret).toBe(pattern.test(secret));
      }),
      { numRuns: 1000 },
    );
  });
});
