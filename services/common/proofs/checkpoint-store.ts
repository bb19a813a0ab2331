/**
 * Signed checkpoints and the public keys that signed them, in the store: written by the proof
 * keeper, published at GET /v1/checkpoints. A key stays listed after it is rotated out, so what
 * it signed still verifies.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.js';
import {
  checkpointBytes,
  type CheckpointBody,
  type PublicSigningKey,
  type SignedCheckpoint,
} from './checkpoint.js';

interface CheckpointRow {
  body: string;
  signature: string;
}

const checkpointOf = (row: CheckpointRow): SignedCheckpoint => ({
  body: JSON.parse(row.body) as CheckpointBody,
  signature: row.signature,
});

export async function writeCheckpoint(store: Store, checkpoint: SignedCheckpoint): Promise<void> {
  const bytes = checkpointBytes(checkpoint.body);
  await store.insert('checkpoints', [
    {
      checkpoint_id: createHash('sha256').update(bytes).digest('hex'),
      issued_at: checkpoint.body.issuedAt,
      key_id: checkpoint.body.keyId,
      body: bytes.toString('utf8'),
      signature: checkpoint.signature,
    },
  ]);
}

/** The newest checkpoints first, at most `limit`, optionally only those issued before `before`. */
export async function readCheckpoints(
  store: Store,
  options: { readonly limit: number; readonly before?: string },
): Promise<SignedCheckpoint[]> {
  const rows = await store.query<CheckpointRow>(
    `SELECT body, signature FROM checkpoints FINAL
     WHERE {beforeMs:Nullable(Int64)} IS NULL OR toUnixTimestamp64Milli(issued_at) < {beforeMs:Nullable(Int64)}
     ORDER BY issued_at DESC, checkpoint_id DESC LIMIT {limit:UInt32}`,
    // Compared as milliseconds since the epoch: the store parses no RFC 3339 offset or "Z" in a
    // DateTime64 parameter, and a time outside its range (1900-2299) is still a valid bound.
    {
      limit: options.limit,
      beforeMs: options.before === undefined ? null : Date.parse(options.before),
    },
  );
  return rows.map(checkpointOf);
}

export async function latestCheckpoint(store: Store): Promise<SignedCheckpoint | undefined> {
  const [latest] = await readCheckpoints(store, { limit: 1 });
  return latest;
}

export async function readSigningKeys(store: Store): Promise<PublicSigningKey[]> {
  const rows = await store.query<{ key_id: string; public_key: string; first_used_at: string }>(
    `SELECT key_id, public_key, min(first_used_at) AS first_used_at FROM signing_keys
     GROUP BY key_id, public_key ORDER BY first_used_at`,
  );
  return rows.map((row) => ({
    keyId: row.key_id,
    algorithm: 'Ed25519',
    publicKey: row.public_key,
    firstUsedAt: row.first_used_at,
  }));
}

/** Publishes a key before it signs anything (once: its first use stays its first). */
export async function registerSigningKey(
  store: Store,
  key: Omit<PublicSigningKey, 'firstUsedAt' | 'algorithm'>,
): Promise<void> {
  const known = await readSigningKeys(store);
  if (known.some((candidate) => candidate.keyId === key.keyId)) return;
  await store.insert('signing_keys', [
    {
      key_id: key.keyId,
      algorithm: 'Ed25519',
      public_key: key.publicKey,
      first_used_at: new Date().toISOString(),
    },
  ]);
}
