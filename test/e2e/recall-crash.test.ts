import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defectReported, produced, shipped } from '../support/event-builders.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SHOPS = Array.from({ length: 120 }, (_, i) => `shop-${String(i).padStart(3, '0')}`);
const RECALL = 'RC-D-CRASH';
const ENV = {
  SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
  SUYUAN_WEBHOOK_RETRY_SCHEDULE: '50ms,100ms,200ms',
  NOTIFIER_POLL_INTERVAL_MS: '20',
};
const running: PlatformProcess[] = [];
let receiver: WebhookReceiver;
let dataDir = '';

afterAll(async () => {
  for (const platform of running) platform.child.kill('SIGKILL');
  await Promise.all(running.map((platform) => platform.exited));
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<TestPlatform & { process: PlatformProcess }> {
  const platform = await spawnPlatform(dataDir, ENV);
  running.push(platform);
  return { ...clientFor(platform.url, dataDir, () => Promise.resolve()), process: platform };
}

async function createParty(client: TestPlatform, partyId: string, roles = ['submitter']) {
  const response = await client.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name: partyId, roles, webhook: { url: `${receiver.url}/${partyId}` } },
  });
  expect(response.status).toBe(201);
  return response.body.apiKey;
}

describe('the recall service killed with SIGKILL while notices go out', () => {
  it(
    'leaves every party with exactly one notice after a restart',
    { timeout: 240_000 },
    async () => {
      receiver = await startWebhookReceiver();
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-recall-crash-'));
      const first = await start();
      const brand = await createParty(first, 'brand');
      const samr = await createParty(first, 'samr', ['regulator']);
      for (const shop of SHOPS) await createParty(first, shop);
      const shipments = SHOPS.map((shop, i) => shipped(`S-${i}`, shop, ['LOT-1'], 1));
      expect((await first.postEvents(brand, [produced('LOT-1'), ...shipments])).status).toBe(202);
      await first.waitForBatch(samr, 'LOT-1');
      expect(
        (await first.postEvents(brand, [defectReported('D-CRASH', ['LOT-1'], 'CRITICAL')])).status,
      ).toBe(202);

      const delivered = () =>
        new Set(receiver.received.filter((r) => r.status === 200).map((r) => r.path));
      await pollUntil(() => delivered().size >= 10 || undefined, {
        timeoutMs: 60_000,
        intervalMs: 20,
        what: 'the first deliveries',
      });
      first.process.child.kill('SIGKILL');
      await first.process.exited;
      const cutAt = delivered().size;
      receiver.hold(false);

      const second = await start();
      await pollUntil(() => delivered().size === SHOPS.length + 1 || undefined, {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: `every party's webhook after the restart (killed after ${cutAt})`,
      });
      const response = await second.request<Array<{ recipient: string; noticeId: string }>>(
        'GET',
        `/v1/recalls/${RECALL}/notices`,
        { key: samr },
      );
      const recipients = response.body.map((n) => n.recipient).sort();
      expect(recipients).toEqual(['brand', ...SHOPS].sort());
      for (const path of delivered()) {
        const ids = new Set(
          receiver.received.filter((r) => r.path === path).map((r) => r.headers['webhook-id']),
        );
        expect(ids.size, path).toBe(1);
      }
      expect(cutAt).toBeLessThan(SHOPS.length + 1);
    },
  );
});
