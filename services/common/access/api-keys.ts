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

/** A webhook signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes, base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
