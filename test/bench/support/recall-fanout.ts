/**
 * A recall that reaches N parties, on the embedded platform in its own process with a local
 * webhook receiver: N − 1 shops each received two lots from one brand, so a CRITICAL defect on a
 * lot makes a recall with a notice for every shop and the brand. Measures the time from the
 * defect's 202 to every notice issued and to every notice delivered, and the mock recall (演练)
 * of the same scope. Two lots, so one set-up serves two recalls (the second one profiled).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defectReported, produced, shipped } from '../../support/event-builders.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../../support/platform-process.js';
import { pollUntil } from '../../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';
import { runLoad } from './load.js';
import { stopPlatformProcess } from './stop-platform.js';
import { summary, timed, type LatencySummary } from './stats.js';

export const RECALL_LOTS = ['LOT-1', 'LOT-2'] as const;

const PLATFORM_ENV = {
  SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
  NOTIFIER_POLL_INTERVAL_MS: '50',
  SUYUAN_RATE_LIMIT_MAX: '1000000000',
};
/** Parties are created by this many clients at once. */
const SETUP_CLIENTS = 8;
const SHIPMENTS_PER_POST = 1000;
const FANOUT_TIMEOUT_MS = 600_000;

export interface FanoutChain {
  /** Parties a recall of either lot reaches: every shop and the brand. */
  readonly parties: number;
  readonly dataDir: string;
  readonly receiver: WebhookReceiver;
  readonly platform: PlatformProcess;
  readonly client: TestPlatform;
  readonly keys: { readonly brand: string; readonly regulator: string };
  /** How long creating the parties and loading the shipments took. */
  readonly setupSeconds: number;
}

export interface FanoutTimes {
  readonly issuedMs: number;
  readonly deliveredMs: number;
}

export interface MockRecallTimes {
  readonly latencyMs: LatencySummary;
  /** The platform's own `elapsedMs` for the scope computation, median. */
  readonly serverMsP50: number;
  readonly partiesReached: number;
  readonly affectedBatches: number;
}

interface MockRecallAnswer {
  parties: unknown[];
  affectedBatchIds: string[];
  elapsedMs: number;
}

async function createParty(
  client: TestPlatform,
  receiver: WebhookReceiver,
  partyId: string,
  roles: string[],
) {
  const response = await client.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name: partyId, roles, webhook: { url: `${receiver.url}/${partyId}` } },
  });
  if (response.status !== 201) throw new Error(`creating party ${partyId}: ${response.status}`);
  return response.body.apiKey;
}

/** Events a second apart on a fixed past day (ingest refuses times far in the future). */
const at = (n: number) => new Date(Date.parse('2026-06-01T00:00:00Z') + n * 1000).toISOString();

export async function mockRecall(
  chain: FanoutChain,
  lot: string,
): Promise<[MockRecallAnswer, number]> {
  const [response, ms] = await timed(() =>
    chain.client.request<MockRecallAnswer>('POST', '/v1/recalls/mock', {
      key: chain.keys.regulator,
      body: { rootBatchIds: [lot] },
    }),
  );
  if (response.status !== 200) throw new Error(`POST /v1/recalls/mock answered ${response.status}`);
  return [response.body, ms];
}

async function startPlatform(dataDir: string, env: Record<string, string>) {
  const platform = await spawnPlatform(dataDir, { ...PLATFORM_ENV, ...env });
  return { platform, client: clientFor(platform.url, dataDir, () => Promise.resolve()) };
}

/** Starts the receiver and the platform, creates the parties and ships both lots to every shop. */
export async function setUpFanoutChain(
  parties: number,
  progress: (line: string) => void,
  env: Record<string, string> = {},
): Promise<FanoutChain> {
  const started = performance.now();
  const receiver = await startWebhookReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-recall-'));
  const { platform, client } = await startPlatform(dataDir, env).catch(async (error: unknown) => {
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const chain: FanoutChain = {
    parties,
    dataDir,
    receiver,
    platform,
    client,
    keys: { brand: '', regulator: '' },
    setupSeconds: 0,
  };
  try {
    const keys = await loadChain(chain, progress);
    const setupSeconds = Math.round((performance.now() - started) / 100) / 10;
    progress(`recall ${parties}: set up in ${setupSeconds} s`);
    return { ...chain, keys, setupSeconds };
  } catch (error) {
    await tearDownFanoutChain(chain);
    throw error;
  }
}

/** Creates the parties, ships both lots to every shop, and waits until that is projected. */
async function loadChain(chain: FanoutChain, progress: (line: string) => void) {
  const { client, receiver, parties } = chain;
  const brand = await createParty(client, receiver, 'brand', ['submitter']);
  const regulator = await createParty(client, receiver, 'samr', ['regulator']);
  const shops = Array.from({ length: parties - 1 }, (_, i) => `shop-${String(i).padStart(5, '0')}`);
  await runLoad(SETUP_CLIENTS, shops.length, async (i) => {
    await createParty(client, receiver, shops[i] ?? '', ['submitter']);
    if ((i + 1) % 1000 === 0)
      progress(`recall ${parties}: ${i + 1}/${shops.length} parties created`);
    return 1;
  });
  const events = [
    ...RECALL_LOTS.map((lot, i) => ({ ...produced(lot), eventTime: at(i) })),
    ...shops.map((shop, i) => ({
      ...shipped(`S-${i}`, shop, [...RECALL_LOTS], 1),
      eventTime: at(10 + i),
    })),
  ];
  for (let i = 0; i < events.length; i += SHIPMENTS_PER_POST) {
    const response = await client.postEvents(brand, events.slice(i, i + SHIPMENTS_PER_POST));
    if (response.status !== 202) throw new Error(`loading shipments answered ${response.status}`);
  }
  const keys = { brand, regulator };
  // Settled when the mock recall of each lot reaches every shop and the brand.
  for (const lot of RECALL_LOTS) {
    await pollUntil(
      async () => (await mockRecall({ ...chain, keys }, lot))[0].parties.length >= parties,
      {
        timeoutMs: FANOUT_TIMEOUT_MS,
        intervalMs: 250,
        what: `every shipment of ${lot} to be projected`,
      },
    );
  }
  return keys;
}

export async function measureMockRecall(
  chain: FanoutChain,
  lot: string,
  rounds: number,
): Promise<MockRecallTimes> {
  const latencies: number[] = [];
  const serverMs: number[] = [];
  let answer: MockRecallAnswer | undefined;
  for (let round = 0; round < rounds; round += 1) {
    const [body, ms] = await mockRecall(chain, lot);
    latencies.push(ms);
    serverMs.push(body.elapsedMs);
    answer = body;
  }
  return {
    latencyMs: summary(latencies),
    serverMsP50: summary(serverMs).p50,
    partiesReached: answer?.parties.length ?? 0,
    affectedBatches: answer?.affectedBatchIds.length ?? 0,
  };
}

/**
 * Reports a CRITICAL defect on `lot` and times every notice issued, then delivered; `onIssued`
 * runs as soon as every notice is issued (the recall scenario stops its profile there).
 */
export async function measureFanout(
  chain: FanoutChain,
  lot: string,
  onIssued: () => Promise<unknown> = () => Promise.resolve(),
): Promise<FanoutTimes> {
  chain.receiver.received.length = 0;
  const defectId = `D-BENCH-${lot}`;
  const started = performance.now();
  const response = await chain.client.postEvents(chain.keys.brand, [
    { ...defectReported(defectId, [lot], 'CRITICAL'), eventTime: at(0) },
  ]);
  if (response.status !== 202) throw new Error(`the defect on ${lot} answered ${response.status}`);
  const issuedMs = await pollUntil(
    async () => {
      const recall = await chain.client.request<{ progress: { notices: number } }>(
        'GET',
        `/v1/recalls/RC-${defectId}`,
        { key: chain.keys.regulator },
      );
      return recall.status === 200 && recall.body.progress.notices === chain.parties
        ? performance.now() - started
        : undefined;
    },
    { timeoutMs: FANOUT_TIMEOUT_MS, intervalMs: 20, what: `every notice of RC-${defectId} issued` },
  );
  await onIssued();
  const deliveredMs = await pollUntil(
    () =>
      new Set(chain.receiver.received.map((r) => r.path)).size === chain.parties
        ? performance.now() - started
        : undefined,
    {
      timeoutMs: FANOUT_TIMEOUT_MS,
      intervalMs: 20,
      what: `every notice of RC-${defectId} delivered`,
    },
  );
  return { issuedMs: Math.round(issuedMs), deliveredMs: Math.round(deliveredMs) };
}

export async function tearDownFanoutChain(chain: FanoutChain) {
  await stopPlatformProcess(chain.platform);
  await chain.receiver.close();
  await rm(chain.dataDir, { recursive: true, force: true });
}
