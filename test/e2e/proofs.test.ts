/**
 * Tamper evidence on the running embedded platform (docs/proofs.md): every accepted event gets a
 * leaf in its partition's Merkle tree, signed checkpoints cover them, an event's proof verifies
 * against one, two checkpoints are proven consistent, a retraction is one more leaf, and the tree
 * the keeper stored equals the tree rebuilt from the log's bytes.
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointsAnswer, EvidenceAnswer } from '../../services/common/api/proofs.js';
import { checkpointSignedBy } from '../../services/common/proofs/checkpoint.js';
import {
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../services/common/proofs/merkle.js';
import { EVENTS_TOPIC } from '../../services/common/topics.js';
import { runVerify } from '../../tools/verify/verify-command.js';
import { inspected, produced, received, retracted, shipped } from '../support/event-builders.js';
import { pollUntil } from '../support/poll.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let api: TestPlatform;
let farm = '';
let plant = '';
let regulator = '';

beforeAll(async () => {
  api = await startTestPlatform({ SUYUAN_CHECKPOINT_INTERVAL_MS: '100' });
  farm = await api.createParty('farm-p');
  plant = await api.createParty('plant-p');
  regulator = await api.createParty('regulator-p', ['regulator']);
});

afterAll(async () => {
  await api?.stop();
});

/** The event's evidence once a checkpoint covers it. */
async function proofOf(eventId: string, key = regulator): Promise<EvidenceAnswer> {
  return pollUntil(
    async () => {
      const answer = await api.request<EvidenceAnswer>('GET', `/v1/events/${eventId}/proof`, {
        key,
      });
      if (answer.status === 200) return answer.body;
      // Not projected yet (403 to its party, which is told nothing more), or not checkpointed.
      expect([403, 404, 503]).toContain(answer.status);
      return undefined;
    },
    { what: `a proof of ${eventId}`, timeoutMs: 30_000, intervalMs: 50 },
  );
}

function verifies(evidence: EvidenceAnswer): boolean {
  const [proof] = evidence.proofs;
  const tree = evidence.checkpoint.body.trees.find((t) => t.partition === proof?.partition);
  if (!proof || !tree) return false;
  const leaf = leafHash(Buffer.from(proof.record, 'base64'));
  return (
    checkpointSignedBy(evidence.checkpoint, evidence.keys) &&
    verifyInclusion(leaf, proof.leafIndex, tree.size, proof.auditPath, tree.rootHash)
  );
}

/** MTH of RFC 9162 over the first `size` records of the embedded log, read from its file. */
function rootFromLog(size: number): Hash {
  const db = new Database(join(api.dataDir, 'log', 'events.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare<[string, number], { value: Buffer }>(
        'SELECT value FROM records WHERE topic = ? ORDER BY record_offset LIMIT ?',
      )
      .all(EVENTS_TOPIC, size);
    const mth = (leaves: Hash[]): Hash => {
      if (leaves.length === 1) return leaves[0]!;
      let k = 1;
      while (k * 2 < leaves.length) k *= 2;
      return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
    };
    return mth(rows.map((row) => leafHash(row.value)));
  } finally {
    db.close();
  }
}

describe('tamper evidence', () => {
  it('proves an accepted event against a signed checkpoint, to its party and to a regulator', async () => {
    const event = produced('P-RAW-1');
    expect((await api.postEvents(farm, [event])).status).toBe(202);
    const evidence = await proofOf(event.eventId, farm);
    expect(verifies(evidence)).toBe(true);
    const [proof] = evidence.proofs;
    expect(proof).toMatchObject({ eventId: event.eventId, partition: 0 });
    expect(proof?.event).toMatchObject({
      eventId: event.eventId,
      batchId: 'P-RAW-1',
      party: 'farm-p',
    });
    expect(verifies(await proofOf(event.eventId, regulator))).toBe(true);
    // Another party may not read it, and learns nothing of whether it exists.
    const other = await api.request('GET', `/v1/events/${event.eventId}/proof`, { key: plant });
    expect(other.status).toBe(403);
    const unknown = await api.request('GET', '/v1/events/no-such-event/proof', { key: plant });
    expect(unknown).toEqual(other);
    const missing = await api.request('GET', '/v1/events/no-such-event/proof', { key: regulator });
    expect(missing.status).toBe(404);
  });

  it('fails the proof of an event whose record bytes differ by one bit', async () => {
    const event = produced('P-RAW-2');
    await api.postEvents(farm, [event]);
    const evidence = await proofOf(event.eventId);
    const bytes = Buffer.from(evidence.proofs[0]!.record, 'base64');
    bytes[bytes.length - 3]! ^= 1;
    const forged = {
      ...evidence,
      proofs: [{ ...evidence.proofs[0]!, record: bytes.toString('base64') }],
    };
    expect(verifies(evidence)).toBe(true);
    expect(verifies(forged)).toBe(false);
  });

  it('keeps a retraction as one more leaf: the retracted event and the retraction both prove', async () => {
    const event = produced('P-RAW-3');
    await api.postEvents(farm, [event]);
    const before = await proofOf(event.eventId);
    const retraction = retracted(event.eventId);
    expect((await api.postEvents(farm, [retraction])).status).toBe(202);
    const after = await proofOf(retraction.eventId);
    expect(verifies(after)).toBe(true);
    expect(after.proofs[0]!.leafIndex).toBeGreaterThan(before.proofs[0]!.leafIndex);
    const again = await proofOf(event.eventId);
    expect(verifies(again)).toBe(true);
    expect(again.proofs[0]!.leafIndex).toBe(before.proofs[0]!.leafIndex);
    expect(again.proofs[0]!.record).toBe(before.proofs[0]!.record);
  });

  it('proves an older checkpoint a prefix of a newer one, and the stored tree equal to the log', async () => {
    const production = produced('P-RAW-4');
    await api.postEvents(farm, [production]);
    const older = (await proofOf(production.eventId)).checkpoint.body.trees[0]!;
    const later = shipped('SH-P-1', 'plant-p', ['P-RAW-4']);
    expect((await api.postEvents(farm, [later])).status).toBe(202);
    const newer = (await proofOf(later.eventId)).checkpoint.body.trees[0]!;
    expect(newer.size).toBeGreaterThan(older.size);
    const consistency = await api.request<{ proof: Hash[] }>(
      'GET',
      `/v1/checkpoints/consistency?partition=0&from=${older.size}&to=${newer.size}`,
      { key: plant },
    );
    expect(consistency.status).toBe(200);
    const { proof } = consistency.body;
    expect(verifyConsistency(older.size, newer.size, proof, older.rootHash, newer.rootHash)).toBe(
      true,
    );
    expect(
      verifyConsistency(older.size, newer.size, proof, leafHash('rewritten'), newer.rootHash),
    ).toBe(false);
    // Rebuilt from the log's bytes, the trees of both checkpoints come out the same.
    expect(rootFromLog(older.size)).toBe(older.rootHash);
    expect(rootFromLog(newer.size)).toBe(newer.rootHash);
  });

  it('publishes every checkpoint, signed by a published key', async () => {
    const answer = await api.request<CheckpointsAnswer>('GET', '/v1/checkpoints?limit=50', {
      key: farm,
    });
    expect(answer.status).toBe(200);
    const { keys, checkpoints } = answer.body;
    expect(keys).toHaveLength(1);
    expect(checkpoints.length).toBeGreaterThan(1);
    for (const checkpoint of checkpoints) expect(checkpointSignedBy(checkpoint, keys)).toBe(true);
    const sizes = checkpoints.map((checkpoint) => checkpoint.body.trees[0]!.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    // `before` takes any RFC 3339 time, with "Z" or an offset, even outside the store's range.
    const issued = checkpoints.map((checkpoint) => checkpoint.body.issuedAt);
    const older = (before: string) =>
      api.request<CheckpointsAnswer>(
        'GET',
        `/v1/checkpoints?limit=50&before=${encodeURIComponent(before)}`,
        {
          key: farm,
        },
      );
    expect((await older('2000-01-01T00:00:00Z')).body.checkpoints).toEqual([]);
    expect((await older('1887-11-20T15:34:14+14:51')).body.checkpoints).toEqual([]);
    const beforeNewest = await older(issued[0]!);
    expect(beforeNewest.status).toBe(200);
    expect(beforeNewest.body.checkpoints.map((checkpoint) => checkpoint.body.issuedAt)).toEqual(
      issued.filter((at) => at < issued[0]!),
    );
    const refused = await api.request('GET', '/v1/checkpoints?limit=0', { key: farm });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('limit');
  });

  it('exports a trace with its evidence to a regulator, which verifies, and names a line it does not back', async () => {
    await api.postEvents(farm, [produced('P-MILK-1'), shipped('SH-T-1', 'plant-p', ['P-MILK-1'])]);
    await api.postEvents(plant, [
      received('SH-T-1', 'farm-p', ['P-MILK-1']),
      produced('P-POWDER-1', ['P-MILK-1']),
      inspected('P-POWDER-1', 'PASS'),
    ]);
    await api.waitForBatch(regulator, 'P-POWDER-1');
    type Traced = Record<string, unknown> & {
      shipments: Array<{ to: string; eventIds: string[] }>;
    };
    const trace = await pollUntil(
      async () => {
        const answer = await api.request<Traced & { evidence: EvidenceAnswer }>(
          'GET',
          '/v1/batches/P-POWDER-1/trace?direction=both&evidence=true',
          { key: regulator },
        );
        return answer.status === 200 && answer.body.shipments[0]?.eventIds.length === 2
          ? answer.body
          : undefined;
      },
      { what: 'the trace with its evidence', timeoutMs: 30_000, intervalMs: 100 },
    );
    // Two productions (one also the derivation), the shipment, its receipt, the inspection.
    expect(trace.evidence.proofs).toHaveLength(5);
    const file = join(api.dataDir, 'trace.json');
    writeFileSync(file, JSON.stringify(trace));
    expect((await runVerify(['verify', file])).lines[0]).toMatch(/^verified trace: 5 events/);
    const [shipment] = trace.shipments;
    writeFileSync(file, JSON.stringify({ ...trace, shipments: [{ ...shipment, to: 'farm-p' }] }));
    expect((await runVerify(['verify', file])).lines[0]).toBe(
      `FAILED event ${shipment!.eventIds[0]}: shipment SH-T-1 of P-MILK-1 is not what the event states`,
    );
    const party = await api.request('GET', '/v1/batches/P-POWDER-1/trace?evidence=true', {
      key: plant,
    });
    expect(party.status).toBe(403);
  });
});
