/**
 * New 一级 risk warnings pushed to regulators' webhooks, on the real embedded platform run as a
 * process (so it can be restarted on its data directory), checked as a receiver would with the
 * official Standard Webhooks library. Rules set here raise, from the same failures, one 一级
 * warning (three failed products of one farm's milk), three 二级 (one failure per dairy) and three
 * 三级 (one failed product each); only the 一级 one is pushed, once to each regulator with a
 * webhook. After a restart the watch keeps running — it pushes a second 一级 warning raised
 * then — and the first is not pushed again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarningView } from '../../services/common/api/warnings.js';
import { stableUuid } from '../../services/common/stable-id.js';
import { inspected, produced } from '../support/event-builders.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const RULES = [
  {
    id: 'common-upstream-cause',
    signal: 'failed-outputs-by-upstream-batch',
    window: '30d',
    threshold: 3,
    level: 1,
  },
  {
    id: 'producer-failures',
    signal: 'failures-by-producer',
    window: '30d',
    threshold: 1,
    level: 2,
  },
  {
    id: 'product-failure-rate',
    signal: 'failure-rate-by-product',
    window: '30d',
    threshold: 0.5,
    level: 3,
  },
];
const ENV = {
  SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
  SUYUAN_WEBHOOK_RETRY_SCHEDULE: '50ms,100ms',
  NOTIFIER_POLL_INTERVAL_MS: '20',
  SUYUAN_WARNING_WATCH_INTERVAL_MS: '100',
  SUYUAN_WARNING_RULES: JSON.stringify(RULES),
};
const REGULATORS_WITH_WEBHOOKS = ['samr-1', 'samr-2'];
const warningOf = (batchId: string) => stableUuid(`warning/common-upstream-cause/${batchId}`);

let receiver: WebhookReceiver;
let dataDir = '';
let platform: PlatformProcess | undefined;
let client: TestPlatform;
const keys = new Map<string, string>();
const key = (party: string) => keys.get(party) ?? '';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

async function start() {
  platform = await spawnPlatform(dataDir, ENV);
  client = clientFor(platform.url, dataDir, () => Promise.resolve());
}

async function createParty(partyId: string, roles: string[], webhook: boolean) {
  const response = await client.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: {
      partyId,
      name: partyId,
      roles,
      ...(webhook ? { webhook: { url: `${receiver.url}/${partyId}`, secret: SECRET } } : {}),
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  keys.set(partyId, response.body.apiKey);
}

async function post(party: string, events: unknown[]) {
  const response = await client.postEvents(key(party), events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

/** `farm`'s raw batch goes into one product at each of three dairies, and each product fails. */
async function threeFailuresBelow(farm: string, raw: string) {
  await post(farm, [produced(raw)]);
  for (const dairy of ['dairy-a', 'dairy-b', 'dairy-c']) {
    const product = `${raw}-${dairy}`;
    await post(dairy, [produced(product, [raw])]);
    await post('lab', [{ ...inspected(product, 'FAIL'), eventTime: hoursAgo(2) }]);
  }
  await client.waitForBatch(key('samr-1'), `${raw}-dairy-c`);
}

interface Pushed {
  readonly path: string;
  readonly webhookId: string;
  readonly body: {
    kind: string;
    noticeId: string;
    recipient: string;
    warning: { warningId: string; level: number; subject: { id: string } };
  };
}

/** Every webhook received, checked with the official library (it throws on a bad signature). */
function pushed(): Pushed[] {
  const official = new Webhook(SECRET);
  return receiver.received.map((webhook) => {
    const body = official.verify(webhook.body, webhook.headers as Record<string, string>);
    return {
      path: webhook.path,
      webhookId: String(webhook.headers['webhook-id']),
      body: body as Pushed['body'],
    };
  });
}

const pushesOf = (warningId: string) =>
  pushed().filter((webhook) => webhook.body.warning?.warningId === warningId);

const waitForPushes = (warningId: string) =>
  pollUntil(() => (pushesOf(warningId).length >= 2 ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 50,
    what: `warning ${warningId} at both regulators' webhooks`,
  });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  dataDir = await mkdtemp(join(tmpdir(), 'suyuan-warning-push-'));
  await start();
  for (const regulator of REGULATORS_WITH_WEBHOOKS)
    await createParty(regulator, ['regulator'], true);
  await createParty('samr-quiet', ['regulator'], false);
  for (const party of ['farm', 'farm-2', 'dairy-b', 'dairy-c', 'lab']) {
    await createParty(party, ['submitter'], false);
  }
  // A party with a webhook that is not a regulator: a warning about it is not sent to it.
  await createParty('dairy-a', ['submitter'], true);
  await threeFailuresBelow('farm', 'RAW-1');
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('一级 warnings pushed to regulators', () => {
  it('pushes the 一级 warning once to each regulator with a webhook, signed', async () => {
    await waitForPushes(warningOf('RAW-1'));
    const pushes = pushesOf(warningOf('RAW-1'));
    expect(pushes.map((push) => push.path).sort()).toEqual(['/samr-1', '/samr-2']);
    for (const push of pushes) {
      expect(push.body).toMatchObject({
        kind: 'risk-warning',
        noticeId: push.webhookId,
        recipient: push.path.slice(1),
        warning: { warningId: warningOf('RAW-1'), level: 1, subject: { id: 'RAW-1' } },
      });
    }
    expect(new Set(pushes.map((push) => push.webhookId)).size).toBe(2);
  });

  it('pushes no 二级 or 三级 warning, though both are raised', async () => {
    const byLevel = async (level: number) => {
      const response = await client.request<WarningView[]>('GET', `/v1/warnings?level=${level}`, {
        key: key('samr-1'),
      });
      return response.body.map((warning) => warning.subject.id).sort();
    };
    expect(await byLevel(2)).toEqual(['dairy-a', 'dairy-b', 'dairy-c']);
    expect(await byLevel(3)).toEqual([
      'GTIN-RAW-1-dairy-a',
      'GTIN-RAW-1-dairy-b',
      'GTIN-RAW-1-dairy-c',
    ]);
    expect(pushed().every((push) => push.body.warning.level === 1)).toBe(true);
    expect(pushed().filter((push) => push.path === '/dairy-a')).toEqual([]);
  });

  it(
    'pushes nothing again after a restart, while new 一级 warnings still go out',
    { timeout: 180_000 },
    async () => {
      await platform?.stop();
      await start();
      // A second farm's milk fails in three products: the watch, running again, pushes it —
      // and in the same rounds sees the first warning, already sent.
      await threeFailuresBelow('farm-2', 'RAW-2');
      await waitForPushes(warningOf('RAW-2'));
      expect(pushesOf(warningOf('RAW-1'))).toHaveLength(2);
      expect(
        pushesOf(warningOf('RAW-2'))
          .map((push) => push.path)
          .sort(),
      ).toEqual(['/samr-1', '/samr-2']);
      expect(pushed()).toHaveLength(4);
    },
  );
});
