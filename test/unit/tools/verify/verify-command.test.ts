/**
 * `suyuan verify` on evidence made here from the sample events, the way the platform makes it
 * (a tree over the records' bytes, a signed checkpoint, the store's JSON copy of each event):
 * what it accepts, and that each kind of mismatch fails naming the event.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceAnswer } from '../../../../services/common/api/proofs.js';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import {
  CHECKPOINT_ORIGIN,
  keyIdOf,
  rawPublicKey,
  signCheckpoint,
} from '../../../../services/common/proofs/checkpoint.js';
import {
  appendLeaves,
  inclusionProof,
  leafHash,
  nodeKey,
  rootHash,
} from '../../../../services/common/proofs/merkle.js';
import { runVerify } from '../../../../tools/verify/verify-command.js';
import { sampleEvents } from '../../../support/sample-events.js';

const dir = mkdtempSync(join(tmpdir(), 'suyuan-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codec = createEventCodec();

function signingKey() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(privateKey);
  const keyId = keyIdOf(raw);
  const published = {
    keyId,
    algorithm: 'Ed25519' as const,
    publicKey: raw.toString('base64'),
    firstUsedAt: '2026-11-01T00:00:00.000Z',
  };
  return { privateKey, keyId, published };
}

const platformKey = signingKey();

/** Evidence for every sample event, as the platform would export it. */
function evidence(): EvidenceAnswer {
  const events = sampleEvents();
  const records = events.map((event) => codec.encode(event));
  const { nodes, size } = appendLeaves(
    0,
    new Map(),
    records.map((record) => leafHash(record)),
  );
  const stored = new Map(nodes.map((node) => [nodeKey(node), node.hash]));
  const source = (node: { level: number; index: number }) => stored.get(nodeKey(node))!;
  const checkpoint = signCheckpoint(
    {
      origin: CHECKPOINT_ORIGIN,
      log: 'suyuan.events',
      issuedAt: '2026-11-22T00:00:00.000Z',
      keyId: platformKey.keyId,
      trees: [{ partition: 0, size, rootHash: rootHash(size, source) }],
    },
    platformKey.privateKey,
  );
  return {
    format: 'suyuan-evidence/1',
    checkpoint: { ...checkpoint, body: { ...checkpoint.body, trees: [...checkpoint.body.trees] } },
    keys: [platformKey.published],
    proofs: events.map((event, i) => ({
      eventId: event.eventId,
      partition: 0,
      offset: i,
      leafIndex: i,
      record: records[i]!.toString('base64'),
      event: JSON.parse(JSON.stringify(codec.decode(records[i]!))) as Record<string, unknown>,
      auditPath: inclusionProof(i, size, source),
    })),
  };
}

/** The sample recall's report, as GET /v1/recalls/R-1/report would claim it. */
function report(proofs: EvidenceAnswer) {
  return {
    generatedAt: '2026-11-22T00:00:00.000Z',
    recall: {
      recallId: 'R-1',
      level: 1,
      mode: 'VOLUNTARY',
      reason: 'aflatoxin M1 above limit',
      initiatedBy: proofs.proofs.find((p) => p.event?.eventType === 'RecallInitiated')!.event!
        .party,
      rootBatchIds: ['B-1'],
    },
    notices: [
      {
        noticeId: 'N-1',
        recipient: 'dist-1',
        batches: [{ batchId: 'B-1', quantity: 400, unit: 'kg' }],
      },
    ],
    evidence: proofs,
  };
}

let files = 0;
async function verify(document: unknown, ...args: string[]) {
  const file = join(dir, `export-${files++}.json`);
  writeFileSync(file, JSON.stringify(document));
  return runVerify(['verify', file, ...args]);
}

const idOf = (type: string, bundle: EvidenceAnswer) =>
  bundle.proofs.find((proof) => proof.event?.eventType === type)!.eventId;

describe('suyuan verify', () => {
  it('verifies a recall report and bare evidence, and pins keys when asked', async () => {
    const bundle = evidence();
    const verdict = await verify(report(bundle));
    expect(verdict.code).toBe(0);
    expect(verdict.lines[0]).toMatch(/^verified recall report: 1\d events/);
    expect(verdict.lines[1]).toContain('pin the platform’s keys with --keys');
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys: [platformKey.published], checkpoints: [] }));
    const pinned = await verify(bundle, '--keys', keysFile);
    expect(pinned).toEqual({ code: 0, lines: [expect.stringMatching(/^verified evidence: /)] });
  });

  it('fails a checkpoint not signed by a pinned key, even when the export carries its signer', async () => {
    const keysFile = join(dir, 'other-keys.json');
    writeFileSync(keysFile, JSON.stringify([signingKey().published]));
    const verdict = await verify(evidence(), '--keys', keysFile);
    expect(verdict.code).toBe(1);
    expect(verdict.lines[0]).toMatch(/^FAILED the checkpoint of .* is not signed by a trusted key/);
  });

  it('names the event whose record differs by one byte from the one signed', async () => {
    const bundle = evidence();
    const proof = bundle.proofs[4]!;
    const bytes = Buffer.from(proof.record, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const forged = {
      ...bundle,
      proofs: bundle.proofs.with(4, { ...proof, record: bytes.toString('base64') }),
    };
    const verdict = await verify(forged);
    expect(verdict.code).toBe(1);
    expect(verdict.lines[0]).toBe(
      `FAILED event ${proof.eventId}: its log record (partition 0, offset 4) is not the one the checkpoint signed: the record was altered after it was signed`,
    );
  });

  it('names the event and the field where the store’s copy differs from the signed record', async () => {
    const bundle = evidence();
    const id = idOf('RecallNoticeIssued', bundle);
    const proofs = bundle.proofs.map((proof) =>
      proof.eventId === id
        ? {
            ...proof,
            event: { ...proof.event, batches: [{ batchId: 'B-1', quantity: 40, unit: 'kg' }] },
          }
        : proof,
    );
    const verdict = await verify({ ...bundle, proofs });
    expect(verdict.lines[0]).toBe(
      `FAILED event ${id}: the store's copy differs from the signed log record (partition 0, offset 6) at batches[0].quantity: the store was altered`,
    );
  });

  it('names the event a report claims otherwise than it states, and a notice it has no event for', async () => {
    const bundle = evidence();
    const altered = report(bundle);
    altered.notices[0]!.batches[0]!.quantity = 4;
    const verdict = await verify(altered);
    expect(verdict.lines[0]).toBe(
      `FAILED event ${idOf('RecallNoticeIssued', bundle)}: the report's notice N-1 (to dist-1) is not what its RecallNoticeIssued states`,
    );
    const extra = report(bundle);
    extra.notices.push({ noticeId: 'N-9', recipient: 'shop-9', batches: [] });
    expect((await verify(extra)).lines[0]).toBe(
      'FAILED notice N-9 of the report has no RecallNoticeIssued in the evidence',
    );
    const level = report(bundle);
    level.recall.level = 3;
    expect((await verify(level)).lines[0]).toBe(
      `FAILED event ${idOf('RecallInitiated', bundle)}: the report's recall R-1 is not what its RecallInitiated states`,
    );
  });

  it('refuses a wrong command line and a file without evidence', async () => {
    expect((await runVerify(['check', 'x.json'])).code).toBe(2);
    expect((await verify({ recall: {}, notices: [] })).code).toBe(2);
  });
});
