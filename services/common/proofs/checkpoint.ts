/**
 * Signed checkpoints (signed tree heads): every partition's tree size and root at one moment,
 * signed with the platform's Ed25519 key. The signature covers the canonical JSON of the body
 * (keys sorted at every level, no spaces), so anyone can check it with the published public key
 * and node:crypto, or any Ed25519 library. The key id is the first 16 hex digits of SHA-256 of the
 * raw 32-byte public key, as sumdb names its keys by a hash of them.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { canonicalJson } from '../events/fingerprint.js';
import type { Hash } from './merkle.js';

export const CHECKPOINT_ORIGIN = 'suyuan/checkpoint/v1';

export interface CheckpointTree {
  readonly partition: number;
  readonly size: number;
  readonly rootHash: Hash;
}

export interface CheckpointBody {
  /** What the signature is a statement of; guards against a signature made for another use. */
  readonly origin: typeof CHECKPOINT_ORIGIN;
  /** The topic the trees are of, as the log names it. */
  readonly log: string;
  readonly issuedAt: string;
  readonly keyId: string;
  /** One tree per partition of the topic, by partition. */
  readonly trees: readonly CheckpointTree[];
}

export interface SignedCheckpoint {
  readonly body: CheckpointBody;
  /** Base64 Ed25519 signature of the body's canonical JSON (UTF-8). */
  readonly signature: string;
}

export interface PublicSigningKey {
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  /** Base64 of the raw 32-byte public key (RFC 8032). */
  readonly publicKey: string;
  readonly firstUsedAt: string;
}

/** The raw 32 bytes of an Ed25519 public key (the end of its SPKI DER encoding). */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export const keyIdOf = (raw: Uint8Array): string =>
  createHash('sha256').update(raw).digest('hex').slice(0, 16);

/** SPKI DER prefix of an Ed25519 public key (RFC 8410): the raw key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function publicKeyFromRaw(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

export const checkpointBytes = (body: CheckpointBody): Buffer =>
  Buffer.from(canonicalJson(body), 'utf8');

export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): SignedCheckpoint {
  return { body, signature: sign(null, checkpointBytes(body), privateKey).toString('base64') };
}

/** Whether `checkpoint` was signed by the key it names, among `keys`. */
export function checkpointSignedBy(
  checkpoint: SignedCheckpoint,
  keys: readonly PublicSigningKey[],
): boolean {
  const key = keys.find((candidate) => candidate.keyId === checkpoint.body.keyId);
  if (!key || keyIdOf(Buffer.from(key.publicKey, 'base64')) !== key.keyId) return false;
  try {
    return verify(
      null,
      checkpointBytes(checkpoint.body),
      publicKeyFromRaw(key.publicKey),
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be Ed25519');
  return key;
}
