import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produced } from '../support/event-builders.js';
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

async function start() {
  const platform = await spawnPlatform(dataDir);
  running.push(platform);
  return { platform, client: clientFor(platform.url, dataDir, () => Promise.resolve()) };
}

describe('a platform killed with SIGKILL', () => {
  it('keeps every event it acknowledged with 202', { timeout: 180_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'suyuan-crash-'));
    const first = await start();
    const key = await first.client.createParty('plant-1');
    expect((await first.client.postEvents(key, [produced('ROOT')])).status).toBe(202);

    const acknowledged: string[] = [];
    let killed = false;
    const poster = async (worker: number) => {
      for (let request = 0; !killed; request += 1) {
        const events = Array.from({ length: 20 }, (_, i) =>
          produced(`K-${worker}-${request}-${i}`, ['ROOT']),
        );
        try {
          const response = await first.client.postEvents(key, events);
          if (response.status === 202) acknowledged.push(...events.map((event) => event.batchId));
        } catch {
          return; // the connection died with the process: these events were never acknowledged
        }
      }
    };
    const posters = [0, 1, 2].map(poster);
    await pollUntil(() => acknowledged.length >= 600 || undefined, {
      timeoutMs: 60_000,
      what: '600 acknowledged events',
    });
    first.platform.child.kill('SIGKILL');
    killed = true;
    await first.platform.exited;
    await Promise.all(posters);

    const second = await start();
    let missing: string[] = [];
    const seen = await pollUntil(
      async () => {
        const trace = await second.client.request<{ batches: Array<{ batchId: string }> }>(
          'GET',
          '/v1/batches/ROOT/trace?direction=downstream&maxDepth=1',
          { key },
        );
        if (trace.status !== 200) return undefined;
        const ids = new Set(trace.body.batches.map((batch) => batch.batchId));
        missing = acknowledged.filter((id) => !ids.has(id));
        return acknowledged.every((id) => ids.has(id)) ? ids : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'every acknowledged event in the trace after restart',
      },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; ${missing.length} missing, e.g. ${missing.slice(0, 5).join(', ')}`,
      );
    });
    expect(seen.size - 1).toBeGreaterThanOrEqual(acknowledged.length);
    second.platform.child.kill('SIGTERM');
    expect(await second.platform.exited).toBe(0);
  });
});
