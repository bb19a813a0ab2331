/**
 * Recall fan-out: time from a CRITICAL defect's 202 to every notice issued and to every notice
 * delivered to a local webhook receiver, for a recall that reaches N parties.
 *
 *   npm run bench:recall [-- --parties 1000]
 *
 * Prints the figures and writes test/bench/results/recall-fanout.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defectReported, produced, shipped } from '../support/event-builders.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { spawnPlatform } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const { values } = parseArgs({ options: { parties: { type: 'string', default: '1000' } } });
const PARTIES = Number(values.parties);

async function createParties(client: TestPlatform, receiver: WebhookReceiver) {
  const create = async (partyId: string, roles: string[]) => {
    const response = await client.request<{ apiKey: string }>('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: { partyId, name: partyId, roles, webhook: { url: `${receiver.url}/${partyId}` } },
    });
    if (response.status !== 201) throw new Error(`creating ${partyId}: ${response.status}`);
    return response.body.apiKey;
  };
  const brand = await create('brand', ['submitter']);
  const samr = await create('samr', ['regulator']);
  const shops = Array.from({ length: PARTIES - 1 }, (_, i) => `shop-${String(i).padStart(5, '0')}`);
  for (const [i, shop] of shops.entries()) {
    await create(shop, ['submitter']);
    if ((i + 1) % 100 === 0) process.stdout.write(`\rparties: ${i + 1}/${shops.length}`);
  }
  process.stdout.write('\n');
  return { brand, samr, shops };
}

async function main() {
  const receiver = await startWebhookReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-recall-'));
  const platform = await spawnPlatform(dataDir, {
    SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
    NOTIFIER_POLL_INTERVAL_MS: '50',
    SUYUAN_RATE_LIMIT_MAX: '1000000',
  });
  const client = clientFor(platform.url, dataDir, () => Promise.resolve());
  try {
    const { brand, samr, shops } = await createParties(client, receiver);
    const shipments = shops.map((shop, i) => shipped(`S-${i}`, shop, ['LOT-1'], 1));
    for (let i = 0; i < shipments.length; i += 999) {
      const events =
        i === 0 ? [produced('LOT-1'), ...shipments.slice(0, 999)] : shipments.slice(i, i + 999);
      if ((await client.postEvents(brand, events)).status !== 202)
        throw new Error('loading shipments failed');
    }
    await client.waitForBatch(samr, 'LOT-1');
    const started = performance.now();
    if (
      (await client.postEvents(brand, [defectReported('D-BENCH', ['LOT-1'], 'CRITICAL')]))
        .status !== 202
    ) {
      throw new Error('defect refused');
    }
    const issuedMs = await pollUntil(
      async () => {
        const response = await client.request<{ progress: { notices: number } }>(
          'GET',
          '/v1/recalls/RC-D-BENCH',
          { key: samr },
        );
        return response.status === 200 && response.body.progress.notices === PARTIES
          ? performance.now() - started
          : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 20, what: 'every notice issued' },
    );
    const deliveredMs = await pollUntil(
      () =>
        new Set(receiver.received.map((r) => r.path)).size === PARTIES
          ? performance.now() - started
          : undefined,
      { timeoutMs: 600_000, intervalMs: 20, what: 'every notice delivered' },
    );
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      parties: PARTIES,
      issuedMs: Math.round(issuedMs),
      deliveredMs: Math.round(deliveredMs),
    };
    await writeFile(
      new URL('./results/recall-fanout.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log(
      `recall reaching ${PARTIES} parties: all notices issued ${result.issuedMs} ms, all delivered ${result.deliveredMs} ms after the defect's 202`,
    );
  } finally {
    platform.child.kill('SIGTERM');
    await platform.exited;
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
