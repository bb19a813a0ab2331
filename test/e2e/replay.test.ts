/**
 * `npm run replay` rebuilds the projection from the log into fresh tables and switches over; the
 * rebuilt trace answers equal the old ones. Embedded mode, real processes: the platform is
 * stopped (chDB lets one process hold the data directory), replayed, and started again.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  openLmdbServingIndex,
  servingIndexPath,
} from '../../services/common/serving/lmdb-serving-index.js';
import { createChdbStore } from '../../services/common/store/chdb-store.js';
import { waitForNoLag } from '../support/consumer-lag.js';
import { loadDairyChain } from '../support/demo-chain.js';
import { startDistributedPlatform } from '../support/distributed-platform.js';
import { produced } from '../support/event-builders.js';
import { requireKafka } from '../support/kafka-broker.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';

const REPLAY = fileURLToPath(new URL('../../tools/replay/main.ts', import.meta.url));

let dataDir = '';
const running: ServiceProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  await Promise.all(running.map((service) => service.kill()));
  for (const cleanup of cleanups) await cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function startPlatform(): Promise<TestPlatform> {
  const service = await spawnService(
    'services/embedded/main.ts',
    { PORT: '0', HOST: '127.0.0.1', SUYUAN_DATA_DIR: dataDir, SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY },
    { name: 'embedded platform' },
  );
  running.push(service);
  return clientFor(service.url, dataDir, () => service.stop());
}

function replay(
  env: Record<string, string> = { SUYUAN_DATA_DIR: dataDir },
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLAY, '--batch-size', '25'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

/** Every demo batch's full trace and batch view, as a regulator sees them. */
async function answers(platform: TestPlatform, key: string, batchIds: readonly string[]) {
  const all: Record<string, unknown> = {};
  for (const batchId of batchIds) {
    const trace = await platform.request('GET', `/v1/batches/${batchId}/trace?direction=both`, {
      key,
    });
    const batch = await platform.request('GET', `/v1/batches/${batchId}`, { key });
    expect(trace.status).toBe(200);
    all[batchId] = { trace: trace.body, batch: batch.body };
  }
  return all;
}

describe('replay', () => {
  it(
    'rebuilds the projection from the log with progress, and every trace answers as before',
    { timeout: 240_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-replay-'));
      let platform = await startPlatform();
      const { chain, keys } = await loadDairyChain(platform);
      const regulator = keys.get(chain.regulatorPartyId) ?? '';
      // The failed sampling opens a recall, whose events change the answers: let it settle.
      await waitForNoLag([{ url: platform.url, groups: ['suyuan-projector', 'suyuan-recall'] }]);
      const before = await answers(platform, regulator, chain.batchIds);

      const refused = await replay();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^suyuan replay: cannot open chDB in .*is another Suyuan process \(the running platform\?\) using it\?/m,
      );

      await platform.stop();
      // Damage the projection, as a lost disk or a bad deploy would; the log still has it all.
      const store = createChdbStore({ path: join(dataDir, 'clickhouse') });
      for (const table of ['derivations_by_input', 'derivations_by_output', 'shipments', 'batches'])
        await store.command(`TRUNCATE TABLE ${table}`);
      await store.close();
      // And the serving index the traces read, keeping its log positions: a start alone would not
      // mend it (it only catches up past them), so the answers below come from replay's rebuild.
      const index = openLmdbServingIndex({ path: servingIndexPath(dataDir) });
      for (const table of [
        'derivationsByInput',
        'derivationsByOutput',
        'shipments',
        'productions',
      ] as const)
        await index.db[table].clearAsync();
      await index.close();
      const replayed = await replay();
      expect(replayed.code, replayed.stderr).toBe(0);
      expect(replayed.stderr).toMatch(/^replay rebuild: 0\/\d+ records \(0%\)/m);
      expect(replayed.stderr).toMatch(/^replay rebuild: (\d+)\/\1 records \(100%\)/m);
      expect(replayed.stderr).toMatch(/^replay done: \d+ records into \d+ tables/m);
      // Beside the embedded log, which settles event ids itself, replay writes no event_index
      // rows, as the projector writes none.
      const rebuilt = createChdbStore({ path: join(dataDir, 'clickhouse') });
      const [indexed] = await rebuilt.query<{ n: string }>('SELECT count() AS n FROM event_index');
      await rebuilt.close();
      expect(Number(indexed?.n)).toBe(0);

      platform = await startPlatform();
      await platform.waitForBatch(regulator, chain.batchIds.at(-1) ?? '');
      expect(await answers(platform, regulator, chain.batchIds)).toEqual(before);
    },
  );

  it(
    'rebuilds a distributed platform while its projector runs, losing nothing posted meanwhile',
    { timeout: 240_000, tags: ['kafka'] },
    async () => {
      const { brokers } = await requireKafka();
      const platform = await startDistributedPlatform(brokers);
      cleanups.push(() => platform.stop());
      const { chain, keys } = await loadDairyChain(platform);
      const regulator = keys.get(chain.regulatorPartyId) ?? '';
      await platform.waitUntilQuiet();
      const before = await answers(platform, regulator, chain.batchIds);

      const plant = keys.get(chain.parties[0]?.partyId ?? '') ?? '';
      const posted: string[] = [];
      const replaying = replay(platform.serviceEnv);
      // Events keep coming while the replay runs; the live projector writes them somewhere, and
      // after the switch every one of them must be in the rebuilt tables.
      for (let round = 0; round < 5; round += 1) {
        const events = Array.from({ length: 20 }, (_, i) => produced(`LIVE-${round}-${i}`));
        expect((await platform.postEvents(plant, events)).status).toBe(202);
        posted.push(...events.map((event) => event.batchId));
      }
      const replayed = await replaying;
      expect(replayed.code, replayed.stderr).toBe(0);
      expect(replayed.stderr).toMatch(/^replay catch-up: /m);
      await platform.waitForBatch(regulator, posted.at(-1) ?? '');
      for (const batchId of posted) {
        const batch = await platform.request('GET', `/v1/batches/${batchId}`, { key: regulator });
        expect(batch.status, batchId).toBe(200);
      }
      expect(await answers(platform, regulator, chain.batchIds)).toEqual(before);
    },
  );
});
