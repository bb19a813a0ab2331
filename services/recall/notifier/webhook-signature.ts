/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>`, sent as `v1,<base64>` in `webhook-signature`. A secret
 * `whsec_<base64>` keys the HMAC with the decoded bytes, as every Standard Webhooks library does.
 * Registration takes no other form (api-keys.ts); a secret stored before that was required, in
 * another form, keeps being keyed with its UTF-8 bytes, so its receiver's checks keep passing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';

export interface WebhookToSign {
  /** The `webhook-id` header: the notice id, stable across retries. */
  readonly id: string;
  /** The `webhook-timestamp` header, in unix seconds. */
  readonly timestamp: number;
  /** The exact bytes sent as the request body. */
  readonly body: string | Uint8Array;
  readonly secret: string;
}

/** The key bytes of a secret. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** The `webhook-signature` header value for one request: `v1,<base64 HMAC-SHA256>`. */
export function signWebhook({ id, timestamp, body, secret }: WebhookToSign): string {
  return `${SIGNATURE_VERSION},${digest(webhookKey(secret), id, timestamp, body).toString('base64')}`;
}

function digest(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key)
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

export type WebhookHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookVerification =
  | { readonly valid: true; readonly id: string; readonly timestamp: number }
  | {
      readonly valid: false;
      readonly reason:
        | 'missing_headers'
        | 'invalid_timestamp'
        | 'timestamp_out_of_tolerance'
        | 'invalid_signature';
    };

export interface VerifyOptions {
  /** Accepted clock difference either way (default 300 s, as Standard Webhooks advises). */
  readonly toleranceSeconds?: number;
  /** The receiver's clock (default: now). */
  readonly now?: Date;
}

/** True when a received webhook is authentic and fresh; see `checkWebhook` for the reason. */
export function verifyWebhook(
  headers: WebhookHeaders,
  body: string | Uint8Array,
  secret: string,
  options: VerifyOptions = {},
): boolean {
  return checkWebhook(headers, body, secret, options).valid;
}

/**
 * Checks a received webhook: the timestamp is within the tolerance, and one of the space-separated
 * `v1,` signatures matches (compared in constant time). For receivers and tests.
 */
export function checkWebhook(
  headers: WebhookHeaders,
  body: string | Uint8Array,
  secret: string,
  options: VerifyOptions = {},
): WebhookVerification {
  const { toleranceSeconds = 300, now = new Date() } = options;
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) return { valid: false, reason: 'missing_headers' };
  if (!/^\d{1,15}$/.test(timestampText)) return { valid: false, reason: 'invalid_timestamp' };
  const timestamp = Number(timestampText);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) {
    return { valid: false, reason: 'timestamp_out_of_tolerance' };
  }
  const expected = digest(webhookKey(secret), id, timestamp, body);
  const matches = signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== SIGNATURE_VERSION || value === undefined) return false;
    const received = Buffer.from(value, 'base64');
    return received.length === expected.length && timingSafeEqual(received, expected);
  });
  return matches ? { valid: true, id, timestamp } : { valid: false, reason: 'invalid_signature' };
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof entry === 'string' ? entry : entry?.[0];
}
