/**
 * Rotating the checkpoint signing key (docs/proofs.md): the platform restarted with a new
 * SUYUAN_SIGNING_KEY_FILE signs with the new key, keeps the old one published, and what the old
 * key signed still verifies and is proven a prefix of what the new key signs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckpointsAnswer, EvidenceAnswer } from '../../services/common/api/proofs.js';
import { checkpointSignedBy } from '../../services/common/proofs/checkpoint.js';
import { verifyConsistency } from '../../services/common/proofs/merkle.js';
import { produced } from '../support/event-builders.js';
import { clientFor, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { spawnPlatform } from '../support/platform-process.js';
import type { ServiceProcess } from '../support/service-process.js';

let dataDir = '';
const running: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((service) => service.kill()));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<TestPlatform> {
  const service = await spawnPlatform(dataDir, { SUYUAN_CHECKPOINT_INTERVAL_MS: '200', ...env });
  running.push(service);
  return clientFor(service.url, dataDir, () => service.stop());
}

/** The event's evidence, once a checkpoint signed by a key other than `notBy` covers it. */
function proofOf(api: TestPlatform, key: string, eventId: string, notBy = '') {
  return pollUntil(
    async () => {
      const answer = await api.request<EvidenceAnswer>('GET', `/v1/events/${eventId}/proof`, {
        key,
      });
      return answer.status === 200 && answer.body.checkpoint.body.keyId !== notBy
        ? answer.body
        : undefined;
    },
    { what: `a proof of ${eventId}`, timeoutMs: 30_000, intervalMs: 100 },
  );
}

describe('key rotation', () => {
  it(
    'signs with the new key, keeps the old one published, and the old checkpoints still hold',
    { timeout: 180_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-rotation-'));
      let api = await start();
      const regulator = await api.createParty('regulator-r', ['regulator']);
      const farm = await api.createParty('farm-r');
      const before = produced('R-RAW-1');
      expect((await api.postEvents(farm, [before])).status).toBe(202);
      const old = await proofOf(api, regulator, before.eventId);
      await api.stop();

      const next = join(dataDir, 'checkpoint-key-2.pem');
      await writeFile(
        next,
        generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }),
        { mode: 0o600 },
      );
      api = await start({ SUYUAN_SIGNING_KEY_FILE: next });
      const after = produced('R-RAW-2');
      expect((await api.postEvents(farm, [after])).status).toBe(202);
      const rotated = await proofOf(api, regulator, after.eventId, old.checkpoint.body.keyId);

      const published = await api.request<CheckpointsAnswer>('GET', '/v1/checkpoints?limit=1000', {
        key: farm,
      });
      const { keys, checkpoints } = published.body;
      expect(keys.map((key) => key.keyId).sort()).toEqual(
        [old.checkpoint.body.keyId, rotated.checkpoint.body.keyId].sort(),
      );
      expect(checkpoints.some((c) => c.body.keyId === old.checkpoint.body.keyId)).toBe(true);
      for (const checkpoint of checkpoints) expect(checkpointSignedBy(checkpoint, keys)).toBe(true);
      // The old key's checkpoint is not the new key's to sign, and the new one extends it.
      expect(
        checkpointSignedBy(
          old.checkpoint,
          keys.filter((key) => key.keyId === rotated.checkpoint.body.keyId),
        ),
      ).toBe(false);
      const [from, to] = [old, rotated].map((evidence) => evidence.checkpoint.body.trees[0]!);
      const consistency = await api.request<{ proof: string[] }>(
        'GET',
        `/v1/checkpoints/consistency?partition=0&from=${from!.size}&to=${to!.size}`,
        { key: farm },
      );
      expect(
        verifyConsistency(
          from!.size,
          to!.size,
          consistency.body.proof,
          from!.rootHash,
          to!.rootHash,
        ),
      ).toBe(true);
      await api.stop();
    },
  );
});
