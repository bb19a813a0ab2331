import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** 256 random bits, URL-safe; the prefix makes a leaked key easy to recognise in scanners. */
export function generateApiKey(): string {
  return `sy_${randomBytes(32).toString('base64url')}`;
}

/**
 * Keys are stored only as SHA-256 hashes. A key has 256 bits of entropy, so a slow password hash
 * adds nothing, and lookup by hash needs no comparison of secrets in application code.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newKeyId(): string {
  return randomUUID();
}

const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Padded base64, which the Standard Webhooks libraries decode strictly. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Key sizes the Standard Webhooks specification asks for. */
const WEBHOOK_KEY_BYTES = { min: 24, max: 64 };

export const WEBHOOK_SECRET_FORM = `whsec_ and ${WEBHOOK_KEY_BYTES.min} to ${WEBHOOK_KEY_BYTES.max} random bytes in base64 (the Standard Webhooks form)`;

/**
 * The same rule as `isStandardWebhookSecret`, as one pattern the OpenAPI document can state:
 * `whsec_`, then 8 to 22 groups of padded base64 holding 24 to 64 bytes (a group of 4 characters
 * is 3 bytes; a last group ending in "=" is 2, in "==" 1).
 */
const B64 = '[A-Za-z0-9+/]';
export const STANDARD_WEBHOOK_SECRET = new RegExp(
  `^whsec_(?:(?:${B64}{4}){8,21}|(?:${B64}{4}){8,20}${B64}{3}=|(?:${B64}{4}){8,21}${B64}{2}==)$`,
);

/** A webhook signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes, base64. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * True for a secret the official Standard Webhooks libraries take by default: `whsec_` and the key
 * in padded base64, 24 to 64 bytes. They decode any secret as base64, so one in another form is
 * refused by them, or keys a different HMAC than ours.
 */
export function isStandardWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return false;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= WEBHOOK_KEY_BYTES.min && bytes <= WEBHOOK_KEY_BYTES.max;
}
