/**
 * The checkpoint signing key (SUYUAN_SIGNING_KEY_FILE): made at first start, readable by its owner
 * only, the same key at every later start, and a file that is no Ed25519 key stops start-up
 * naming the variable.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/common/logger.js';
import { checkpointSignedBy, signCheckpoint } from '../../../services/common/proofs/checkpoint.js';
import { loadSigningKey } from '../../../services/projector/signing-key.js';

const dir = mkdtempSync(join(tmpdir(), 'suyuan-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = createLogger({ level: 'silent', pretty: false });

describe('the checkpoint signing key', () => {
  it('is generated at first start, owner-only, and the same key at the next', async () => {
    const path = join(dir, 'keys', 'checkpoint-signing-key.pem');
    const first = await loadSigningKey(path, logger);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await loadSigningKey(path, logger);
    expect(again.keyId).toBe(first.keyId);
    expect(first.keyId).toMatch(/^[0-9a-f]{16}$/);
    const body = {
      origin: 'suyuan/checkpoint/v1' as const,
      log: 'suyuan.events',
      issuedAt: '2026-12-03T00:00:00.000Z',
      keyId: first.keyId,
      trees: [],
    };
    const published = {
      keyId: first.keyId,
      algorithm: 'Ed25519' as const,
      publicKey: first.publicKey,
      firstUsedAt: body.issuedAt,
    };
    expect(checkpointSignedBy(signCheckpoint(body, again.privateKey), [published])).toBe(true);
  });

  it('is one key for projectors starting at once on one mounted file', async () => {
    // Replicas of the projector share one key file (docker-compose.yml): the first start of
    // several generates it once, and none reads it half written.
    // The window is short: many rounds, each on a new file, give a half-written read its chance
    // (CI under load caught one; the key is now linked into place whole).
    for (let round = 0; round < 25; round += 1) {
      const shared = join(dir, `shared-${round}`);
      const path = join(shared, 'checkpoint-signing-key.pem');
      const keys = await Promise.all(Array.from({ length: 8 }, () => loadSigningKey(path, logger)));
      expect(new Set(keys.map((key) => key.keyId)).size).toBe(1);
      expect(readdirSync(shared)).toEqual(['checkpoint-signing-key.pem']);
    }
  });

  it('refuses a file that is not an Ed25519 private key, naming the variable', async () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    await expect(loadSigningKey(garbage, logger)).rejects.toThrow(
      /^SUYUAN_SIGNING_KEY_FILE: .*garbage\.pem is not/,
    );
    const rsa = join(dir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(rsa, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await expect(loadSigningKey(rsa, logger)).rejects.toMatchObject({ code: 'config_invalid' });
  });
});
