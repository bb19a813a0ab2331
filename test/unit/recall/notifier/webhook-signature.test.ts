import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  isStandardWebhookSecret,
} from '../../../../services/common/access/api-keys.js';
import {
  checkWebhook,
  signWebhook,
  verifyWebhook,
  webhookKey,
} from '../../../../services/recall/notifier/webhook-signature.js';

// The published Standard Webhooks test vector (also in the Svix libraries' tests).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const vectorTime = new Date(VECTOR.timestamp * 1000);

const headersFor = (id: string, timestamp: number, signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    expect(signWebhook(VECTOR)).toBe(VECTOR.signature);
  });

  it('signs the same bytes whether the body is a string or a buffer', () => {
    expect(signWebhook({ ...VECTOR, body: Buffer.from(VECTOR.body) })).toBe(VECTOR.signature);
  });

  it('keys whsec_ secrets with the decoded bytes and other secrets with their UTF-8 bytes', () => {
    expect(webhookKey('whsec_AAEC')).toEqual(Buffer.from([0, 1, 2]));
    expect(webhookKey('a party-chosen secret')).toEqual(Buffer.from('a party-chosen secret'));
    const chosen = signWebhook({ ...VECTOR, secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(chosen).not.toBe(VECTOR.signature);
  });
});

describe('verifyWebhook', () => {
  const headers = headersFor(VECTOR.id, VECTOR.timestamp, VECTOR.signature);

  it('accepts the test vector at its own time', () => {
    expect(verifyWebhook(headers, VECTOR.body, VECTOR.secret, { now: vectorTime })).toBe(true);
    expect(verifyWebhook(headers, VECTOR.body, VECTOR.secret)).toBe(false); // years too old
    expect(checkWebhook(headers, VECTOR.body, VECTOR.secret, { now: vectorTime })).toEqual({
      valid: true,
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
    });
  });

  it('accepts a party-chosen secret, Fetch Headers and header names in any case', () => {
    const secret = 'a secret of at least sixteen characters';
    const signature = signWebhook({ ...VECTOR, secret });
    const fetchHeaders = new Headers(headersFor(VECTOR.id, VECTOR.timestamp, signature));
    const upper = { 'Webhook-Id': VECTOR.id, 'Webhook-Timestamp': String(VECTOR.timestamp) };
    const options = { now: vectorTime };
    expect(checkWebhook(fetchHeaders, VECTOR.body, secret, options).valid).toBe(true);
    expect(
      checkWebhook({ ...upper, 'WEBHOOK-SIGNATURE': signature }, VECTOR.body, secret, options)
        .valid,
    ).toBe(true);
  });

  it('accepts when any of several signatures matches (secret rotation)', () => {
    const several = headersFor(VECTOR.id, VECTOR.timestamp, `v1,bm9wZQ== ${VECTOR.signature}`);
    expect(checkWebhook(several, VECTOR.body, VECTOR.secret, { now: vectorTime }).valid).toBe(true);
  });

  it('rejects a tampered body, id or timestamp, and a wrong secret', () => {
    const options = { now: vectorTime };
    const invalid = { valid: false, reason: 'invalid_signature' };
    expect(checkWebhook(headers, '{"test": 2432232315}', VECTOR.secret, options)).toEqual(invalid);
    const otherId = headersFor('msg_other', VECTOR.timestamp, VECTOR.signature);
    expect(checkWebhook(otherId, VECTOR.body, VECTOR.secret, options)).toEqual(invalid);
    const shifted = headersFor(VECTOR.id, VECTOR.timestamp + 1, VECTOR.signature);
    expect(checkWebhook(shifted, VECTOR.body, VECTOR.secret, options)).toEqual(invalid);
    const wrongSecret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    expect(checkWebhook(headers, VECTOR.body, wrongSecret, options)).toEqual(invalid);
  });

  it('rejects a signature of another version or a truncated one', () => {
    const [, value] = VECTOR.signature.split(',');
    const options = { now: vectorTime };
    const v2 = headersFor(VECTOR.id, VECTOR.timestamp, `v2,${value}`);
    expect(checkWebhook(v2, VECTOR.body, VECTOR.secret, options).valid).toBe(false);
    const cut = headersFor(VECTOR.id, VECTOR.timestamp, VECTOR.signature.slice(0, 20));
    expect(checkWebhook(cut, VECTOR.body, VECTOR.secret, options).valid).toBe(false);
  });

  it('rejects a timestamp outside the tolerance either way, and accepts one just inside', () => {
    const at = (seconds: number) => ({ now: new Date((VECTOR.timestamp + seconds) * 1000) });
    const outside = { valid: false, reason: 'timestamp_out_of_tolerance' };
    expect(checkWebhook(headers, VECTOR.body, VECTOR.secret, at(301))).toEqual(outside);
    expect(checkWebhook(headers, VECTOR.body, VECTOR.secret, at(-301))).toEqual(outside);
    expect(checkWebhook(headers, VECTOR.body, VECTOR.secret, at(300)).valid).toBe(true);
    expect(checkWebhook(headers, VECTOR.body, VECTOR.secret, at(-300)).valid).toBe(true);
    const strict = { ...at(11), toleranceSeconds: 10 };
    expect(checkWebhook(headers, VECTOR.body, VECTOR.secret, strict)).toEqual(outside);
  });

  it('rejects missing headers and a malformed timestamp', () => {
    const options = { now: vectorTime };
    const { 'webhook-signature': _, ...unsigned } = headers;
    expect(checkWebhook(unsigned, VECTOR.body, VECTOR.secret, options)).toEqual({
      valid: false,
      reason: 'missing_headers',
    });
    const malformed = { ...headers, 'webhook-timestamp': '1614265330.5' };
    expect(checkWebhook(malformed, VECTOR.body, VECTOR.secret, options)).toEqual({
      valid: false,
      reason: 'invalid_timestamp',
    });
  });
});

describe('secrets in the Standard Webhooks form', () => {
  const secretOf = (key: Uint8Array) => `whsec_${Buffer.from(key).toString('base64')}`;

  it('every secret the form admits keys the same HMAC as the official library', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 32 }),
        (key, id, body, timestamp) => {
          const secret = secretOf(key);
          expect(isStandardWebhookSecret(secret)).toBe(true);
          const signature = signWebhook({ id, timestamp, body, secret });
          expect(new Webhook(secret).sign(id, new Date(timestamp * 1000), body)).toBe(signature);
        },
      ),
    );
  });

  it('admits the generated secrets and the published vector, and nothing in another form', () => {
    expect(isStandardWebhookSecret(generateWebhookSecret())).toBe(true);
    expect(isStandardWebhookSecret(VECTOR.secret)).toBe(true);
    for (const other of [
      'a secret of at least sixteen characters', // a password: the libraries decode it as base64
      VECTOR.secret.slice('whsec_'.length), // the key without its prefix
      'whsec_AAEC', // 3 bytes
      secretOf(new Uint8Array(65)),
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', // not padded base64
      'whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n',
    ]) {
      expect(isStandardWebhookSecret(other), other).toBe(false);
    }
  });
});
