/**
 * The public check's rate limit by client address, and its counts across a stop and a SIGKILL:
 * the embedded platform as a real child process on one data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCheck } from '../../services/common/api/public-check.js';
import { checkCountsPath } from '../../services/trace-api/public/check-counts.js';
import { produced } from '../support/event-builders.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';

const LIMIT = 5;
const running: PlatformProcess[] = [];
let dataDir: string;
let platform: PlatformProcess;
let client: TestPlatform;

async function start() {
  platform = await spawnPlatform(dataDir, {
    SUYUAN_PUBLIC_RATE_LIMIT_MAX: String(LIMIT),
    SUYUAN_PUBLIC_CHECK_FLUSH_MS: '20',
    // As behind the gateway: the client's address comes from X-Forwarded-For.
    SUYUAN_TRUST_PROXY: 'loopback',
  });
  running.push(platform);
  client = clientFor(platform.url, dataDir, () => Promise.resolve());
}

const check = (code: string, client: string, headers: Record<string, string> = {}) =>
  fetch(`${platform.url}/t/${code}`, {
    headers: { accept: 'application/json', 'x-forwarded-for': client, ...headers },
  });

const countOf = async (code: string, address: string) => {
  const answer = await check(code, address);
  expect(answer.status).toBe(200);
  return ((await answer.json()) as PublicCheck).checks.count;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'suyuan-public-'));
  await start();
  const key = await client.createParty('plant');
  const profile = await client.request('PUT', '/v1/parties/plant/public-profile', {
    key: TEST_ADMIN_KEY,
    body: { showName: true, region: null },
  });
  expect(profile.status).toBe(200);
  expect((await client.postEvents(key, [produced('LOT-1'), produced('LOT-2')])).status).toBe(202);
  await client.waitForBatch(key, 'LOT-2');
}, 120_000);

afterAll(async () => {
  for (const process of running) process.child.kill('SIGKILL');
  await Promise.all(running.map((process) => process.exited));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the public check rate limit', () => {
  it('refuses an address past its budget, whatever key it sends, and only that address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i += 1)
      statuses.push((await check('LOT-1', '198.51.100.7')).status);
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    const refused = await check('LOT-1', '198.51.100.7', {
      authorization: `Bearer ${TEST_ADMIN_KEY}`,
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      error: 'rate_limited',
      message: expect.stringContaining('client address'),
    });
    // An unknown code costs the budget too: no free probing.
    expect((await check('NO-SUCH', '198.51.100.7')).status).toBe(429);
    expect((await check('LOT-1', '198.51.100.8')).status).toBe(200);
    expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
  });
});

describe('the check counts', () => {
  it(
    'survive a stop: every check counted before it is there after',
    { timeout: 120_000 },
    async () => {
      const before = await countOf('LOT-2', '192.0.2.1');
      await countOf('LOT-2', '192.0.2.2');
      platform.child.kill('SIGTERM');
      expect(await platform.exited).toBe(0);
      await start();
      expect(await countOf('LOT-2', '192.0.2.3')).toBe(before + 2);
    },
  );

  it(
    'survive a SIGKILL once flushed: at most one flush interval is lost',
    { timeout: 120_000 },
    async () => {
      const before = await countOf('LOT-2', '192.0.2.4');
      // Read the counts file as another process would: once it holds this check, kill.
      const file = open({ path: checkCountsPath(dataDir), readOnly: true, maxDbs: 2 });
      try {
        const counts = file.openDB<{ count: number }, string>({ name: 'counts' });
        await pollUntil(() => ((counts.get('LOT-2')?.count ?? 0) >= before ? true : undefined), {
          what: 'the count to be flushed',
          timeoutMs: 10_000,
          intervalMs: 20,
        });
      } finally {
        await file.close();
      }
      platform.child.kill('SIGKILL');
      await platform.exited;
      await start();
      expect(await countOf('LOT-2', '192.0.2.5')).toBe(before + 1);
    },
  );
});
