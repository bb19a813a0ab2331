/**
 * The Show point of issue 17 (docs/proofs.md): the demo chain's recall report, exported with its
 * evidence, verifies offline with `npx suyuan verify`; after a replay of the projection and after
 * a rebuild of the trees from the log it still does; one byte altered in a stored event — in
 * ClickHouse, and separately in the log — makes the verifier fail naming that event. Real
 * processes: the platform is stopped to alter its files, as an operator with disk access would.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceAnswer } from '../../services/common/api/proofs.js';
import type { RecallReport } from '../../services/common/api/recalls.js';
import { createChdbStore } from '../../services/common/store/chdb-store.js';
import { PROOF_GROUP } from '../../services/common/topics.js';
import { verifyConsistency } from '../../services/common/proofs/merkle.js';
import { runVerify } from '../../tools/verify/verify-command.js';
import { loadDairyChain } from '../support/demo-chain.js';
import { clientFor, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { spawnPlatform } from '../support/platform-process.js';
import type { ServiceProcess } from '../support/service-process.js';
import { alterLogRecord, alterStoredColumn } from '../support/tamper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPLAY = join(ROOT, 'tools/replay/main.ts');
const BIN = join(ROOT, 'tools/verify/suyuan.mjs');

type Report = RecallReport & { evidence: EvidenceAnswer };

let dataDir = '';
let platform: TestPlatform | undefined;
let regulator = '';
const running: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((service) => service.kill()));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<TestPlatform> {
  const service = await spawnPlatform(dataDir, { SUYUAN_CHECKPOINT_INTERVAL_MS: '200' });
  running.push(service);
  platform = clientFor(service.url, dataDir, () => service.stop());
  return platform;
}

async function stop(): Promise<void> {
  await platform?.stop();
  platform = undefined;
}

/** The recall's report with its evidence, once every event it rests on is checkpointed. */
async function exportReport(recallId: string): Promise<Report> {
  return pollUntil(
    async () => {
      const answer = await platform!.request<Report>(
        'GET',
        `/v1/recalls/${recallId}/report?evidence=true`,
        { key: regulator },
      );
      if (answer.status === 503) return undefined;
      expect(answer.status).toBe(200);
      return answer.body;
    },
    { what: 'the report with its evidence', timeoutMs: 30_000, intervalMs: 100 },
  );
}

const alterStoredPayload = (eventId: string, edit: (payload: string) => string) =>
  alterStoredColumn(dataDir, { table: 'events', column: 'payload', eventId }, edit);

async function verifyFile(report: unknown, args: string[] = []) {
  const file = join(dataDir, `export-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(report));
  return runVerify(['verify', file, ...args]);
}

/** The bin as a user runs it: `npx suyuan verify <file>` resolves to this script. */
function runBin(file: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, 'verify', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

function replay(): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLAY], {
    env: { ...process.env, LOG_LEVEL: 'warn', SUYUAN_DATA_DIR: dataDir },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.once('exit', resolve));
}

const noticeProof = (report: Report, recipient: string) => {
  const proof = report.evidence.proofs.find(
    (candidate) =>
      candidate.event?.eventType === 'RecallNoticeIssued' &&
      candidate.event.recipient === recipient,
  );
  if (!proof) throw new Error(`no notice to ${recipient} in the evidence`);
  return proof;
};

describe('the offline verifier on the demo chain’s recall report', () => {
  it(
    'verifies the report, still after a replay and a rebuild of the trees, and names the event altered in the store, then in the log',
    { timeout: 300_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-proofs-'));
      const api = await start();
      const { chain, keys } = await loadDairyChain(api);
      regulator = keys.get(chain.regulatorPartyId) ?? '';
      const recallId = await pollUntil(
        async () => {
          const list = await api.request<
            Array<{ recallId: string; progress: { notices: number } }>
          >('GET', '/v1/recalls', { key: regulator });
          const recall = list.body.find((candidate) => candidate.progress.notices > 0);
          return recall?.recallId;
        },
        { what: 'the demo recall to issue its notices', timeoutMs: 60_000, intervalMs: 200 },
      );
      const report = await exportReport(recallId);
      expect(report.notices.length).toBeGreaterThan(0);
      const file = join(dataDir, 'report.json');
      await writeFile(file, JSON.stringify(report));
      const clean = await runBin(file);
      expect(clean.out).toMatch(/^verified recall report: \d+ events against the checkpoint/m);
      expect(clean.code).toBe(0);
      // A party may not have the evidence: it carries whole events, past its share.
      const party = keys.get(report.notices[0]!.recipient) ?? '';
      const refused = await api.request('GET', `/v1/recalls/${recallId}/report?evidence=true`, {
        key: party,
      });
      expect(refused.status).toBe(403);

      // Replay rebuilds the projection from the log: the proofs stay valid.
      await stop();
      expect(await replay()).toBe(0);
      // Rebuild the trees from the log: their tables emptied, the keeper's group starts over.
      const store = createChdbStore({ path: join(dataDir, 'clickhouse') });
      for (const table of ['proof_nodes', 'proof_leaves', 'proof_heads'])
        await store.command(`TRUNCATE TABLE ${table}`);
      await store.close();
      const log = new Database(join(dataDir, 'log', 'events.sqlite'));
      log.prepare('DELETE FROM committed_offsets WHERE group_id = ?').run(PROOF_GROUP);
      log.close();
      await start();
      const rebuilt = await pollUntil(
        async () => {
          const again = await exportReport(recallId);
          const tree = again.evidence.checkpoint.body.trees[0]!;
          return tree.size >= report.evidence.checkpoint.body.trees[0]!.size ? again : undefined;
        },
        { what: 'the trees rebuilt from the log', timeoutMs: 60_000, intervalMs: 200 },
      );
      expect((await verifyFile(rebuilt)).code).toBe(0);
      // The rebuilt tree extends the one signed before: the old checkpoint is consistent with it.
      const [older, newer] = [report, rebuilt].map((r) => r.evidence.checkpoint.body.trees[0]!);
      const consistency = await platform!.request<{ proof: string[] }>(
        'GET',
        `/v1/checkpoints/consistency?partition=0&from=${older!.size}&to=${newer!.size}`,
        { key: regulator },
      );
      expect(
        verifyConsistency(
          older!.size,
          newer!.size,
          consistency.body.proof,
          older!.rootHash,
          newer!.rootHash,
        ),
      ).toBe(true);

      // One byte of a stored event altered in ClickHouse: the verifier names it.
      const altered = noticeProof(report, report.notices[0]!.recipient);
      await stop();
      await alterStoredPayload(altered.eventId, (payload) =>
        payload.replace('"deadline":"2', '"deadline":"3'),
      );
      await start();
      const storeTampered = await exportReport(recallId);
      const storeVerdict = await verifyFile(storeTampered);
      expect(storeVerdict.code).toBe(1);
      expect(storeVerdict.lines.join('\n')).toContain(
        `FAILED event ${altered.eventId}: the store's copy differs`,
      );
      expect(storeVerdict.lines.join('\n')).toContain('deadline');

      // Put back, it verifies again; then one byte of another event altered in the log.
      await stop();
      await alterStoredPayload(altered.eventId, (payload) =>
        payload.replace('"deadline":"3', '"deadline":"2'),
      );
      const other = noticeProof(report, report.notices.at(-1)!.recipient);
      expect(other.eventId).not.toBe(altered.eventId);
      // One bit of the first character after "RC-": the notice now names another recall.
      alterLogRecord(dataDir, other.offset, 'RC-');
      await start();
      const logTampered = await exportReport(recallId);
      const logVerdict = await verifyFile(logTampered);
      expect(logVerdict.code).toBe(1);
      expect(logVerdict.lines.join('\n')).toContain(
        `FAILED event ${other.eventId}: its log record (partition 0, offset ${other.offset}) is not the one the checkpoint signed`,
      );
    },
  );
});
