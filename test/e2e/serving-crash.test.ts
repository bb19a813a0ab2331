/**
 * The embedded projector writes each batch to the serving index, then to the store, then commits
 * its offset (docs/adr/0001-serving-path.md). A process killed between the first two writes leaves
 * rows in the index that the store lacks; the redelivery after restart must mend that, so that the
 * index and the store answer alike and nothing acknowledged is lost. The failpoint
 * `projector.after-serving-index` (SUYUAN_FAILPOINTS) makes the real platform process SIGKILL
 * itself exactly there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../services/common/logger.js';
import {
  openLmdbServingIndex,
  servingIndexPath,
} from '../../services/common/serving/lmdb-serving-index.js';
import { createLmdbTraceReads } from '../../services/common/serving/lmdb-trace-reads.js';
import { createChdbStore } from '../../services/common/store/chdb-store.js';
import { migrate } from '../../services/common/store/migrations.js';
import { createStoreTraceReads } from '../../services/common/trace/store-trace-reads.js';
import type { TraceReads } from '../../services/common/trace/trace-reads.js';
import { produced, received, shipped } from '../support/event-builders.js';
import { clientFor } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';

const running: PlatformProcess[] = [];
let dataDir: string;

afterAll(async () => {
  for (const platform of running) platform.child.kill('SIGKILL');
  await Promise.all(running.map((platform) => platform.exited));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  const platform = await spawnPlatform(dataDir, env);
  running.push(platform);
  return { platform, client: clientFor(platform.url, dataDir, () => Promise.resolve()) };
}

/** Sorted, as the reads list batches. */
const BATCHES = ['CHILD-1', 'CHILD-2', 'ROOT'];

/** What the index and the store each hold of the chain, read in this process while none runs. */
async function readBoth<T>(read: (reads: TraceReads) => Promise<T>) {
  const store = createChdbStore({ path: join(dataDir, 'clickhouse') });
  const index = openLmdbServingIndex({ path: servingIndexPath(dataDir) });
  try {
    await migrate(store, createLogger({ level: 'silent', pretty: false }));
    return {
      index: await read(createLmdbTraceReads(index)),
      store: await read(createStoreTraceReads(store)),
    };
  } finally {
    await index.close();
    await store.close();
  }
}

const chain = async (reads: TraceReads) => ({
  batches: await reads.batches(BATCHES),
  derivations: await reads.derivations('downstream', BATCHES),
  shipments: await reads.shipments(BATCHES),
  receipts: await reads.receipts(BATCHES),
  timelines: await Promise.all(BATCHES.map((id) => reads.timeline(id))),
});

describe('a platform killed between the serving index and the store', () => {
  it(
    'mends the store from the log at restart, so both answer alike',
    { timeout: 240_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-serving-crash-'));
      const first = await start({ SUYUAN_FAILPOINTS: 'projector.after-serving-index' });
      const plant = await first.client.createParty('plant-1');
      const shop = await first.client.createParty('shop-1');
      const events = [
        produced('ROOT'),
        produced('CHILD-1', ['ROOT']),
        produced('CHILD-2', ['ROOT']),
        shipped('S-1', 'shop-1', ['CHILD-1']),
      ];
      expect((await first.client.postEvents(plant, events)).status).toBe(202);
      // The projector takes the acknowledged events as one batch, writes the index and dies.
      expect(await first.platform.exited).toBe(-1);

      const crashed = await readBoth(chain);
      expect(crashed.index.batches.map((row) => row.batchId)).toEqual(BATCHES);
      expect(crashed.store.batches).toEqual([]);

      const second = await start();
      await pollUntil(
        async () => {
          const trace = await second.client.request<{ batches: unknown[] }>(
            'GET',
            '/v1/batches/ROOT/trace?direction=downstream',
            { key: plant },
          );
          return trace.status === 200 && trace.body.batches.length === BATCHES.length;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the chain in a trace after restart' },
      );
      // Writes after the restart go on as before: a receipt of the shipment the crash interrupted.
      expect(
        (await second.client.postEvents(shop, [received('S-1', 'plant-1', ['CHILD-1'])])).status,
      ).toBe(202);
      await pollUntil(
        async () => {
          const { body } = await second.client.request<{ timeline: unknown[] }>(
            'GET',
            '/v1/batches/CHILD-1',
            { key: plant },
          );
          return body.timeline.length === 3;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the receipt in the timeline of CHILD-1' },
      );
      await second.platform.stop();
      expect(await second.platform.exited).toBe(0);

      const mended = await readBoth(chain);
      expect(mended.store.batches.map((row) => row.batchId)).toEqual(BATCHES);
      expect(mended.store.receipts).toHaveLength(1);
      expect(mended.index).toEqual(mended.store);
    },
  );
});
