// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledged,
  defectReported,
  inspected,
  produced,
  progressReported,
  received,
  recallClosed,
  recallInitiated,
  shipped,
} from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

interface Notice {
  noticeId: string;
  recipient: string;
  batches: Array<{ batchId: string; quantity: number }>;
  delivery: { status: string; attempts: number };
}
interface Recall {
  recallId: string;
  level: number;
  status: string;
  affectedBatchIds: string[];
  progress: { notices: number; delivered: number; acknowledged: number; recovered: number };
}

const HOLDERS = ['farm', 'plant', 'brand', 'dist', 'shop-1', 'shop-2'];
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const RECALL = 'RC-D-RAW';
let platform: TestPlatform;
let receiver: WebhookReceiver;
const keys: Record<string, string> = {};

const distinctIds = (path: string) =>
  new Set(receiver.received.filter((r) => r.path === path).map((r) => r.headers['webhook-id']));

async function createWebhookParty(partyId: string, roles = ['submitter']) {
  const response = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: {
      partyId,
      name: `name of ${partyId}`,
      roles,
      webhook: { url: `${receiver.url}/${partyId}`, secret: SECRET },
    },
  });
  expect(response.status).toBe(201);
  keys[partyId] = response.body.apiKey;
}

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body as { warnings?: Array<{ recallIds: string[]; message: string }> };
}

async function notices(): Promise<Notice[]> {
  const response = await platform.request<Notice[]>('GET', `/v1/recalls/${RECALL}/notices`, {
    key: keys.samr,
  });
  return response.status === 200 ? response.body : [];
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  platform = await startTestPlatform({
    SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
    SUYUAN_WEBHOOK_RETRY_SCHEDULE: '50ms,100ms,200ms',
    NOTIFIER_POLL_INTERVAL_MS: '20',
  });
  for (const party of [...HOLDERS, 'shop-3', 'lab']) await createWebhookParty(party);
  await createWebhookParty('samr', ['regulator']);
  receiver.script('/shop-1', [500, 500]);

  // RAW -> POWDER -> FORMULA: the defect sits two transformations upstream of what shops hold.
  await post('farm', [produced('RAW'), shipped('S-RAW', 'plant', ['RAW'], 900)]);
  await post('plant', [
    received('S-RAW', 'farm', ['RAW'], 900),
    produced('POWDER', ['RAW']),
    shipped('S-POWDER', 'brand', ['POWDER'], 100),
  ]);
  await post('brand', [
    received('S-POWDER', 'plant', ['POWDER'], 100),
    produced('FORMULA', ['POWDER']),
    shipped('S-F', 'dist', ['FORMULA'], 60),
  ]);
  await post('dist', [
    received('S-F', 'brand', ['FORMULA'], 60),
    shipped('S-D1', 'shop-1', ['FORMULA'], 10),
    shipped('S-D2', 'shop-2', ['FORMULA'], 10),
  ]);
  await post('shop-1', [received('S-D1', 'dist', ['FORMULA'], 10)]); // S-D2 stays in transit
  await post('lab', [defectReported('D-RAW', ['RAW'], 'CRITICAL')]);
});
afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
});

describe('a CRITICAL defect on a raw-material batch', () => {
  it('opens a level 1 recall of everything made from it', async () => {
    const recall = await pollUntil(
      async () => {
        const response = await platform.request<Recall>('GET', `/v1/recalls/${RECALL}`, {
          key: keys.samr,
        });
        return response.status === 200 && response.body.affectedBatchIds.length === 3
          ? response.body
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the recall to open with its whole scope' },
    );
    expect(recall).toMatchObject({ level: 1, status: 'open' });
    expect([...recall.affectedBatchIds].sort()).toEqual(['FORMULA', 'POWDER', 'RAW']);
  });

  it('reaches every downstream holder exactly once, signed, in transit included', async () => {
    await pollUntil(
      () => HOLDERS.every((party) => distinctIds(`/${party}`).size === 1) || undefined,
      {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'a webhook at every holder',
      },
    );
    const issued = await notices();
    expect(issued.map((n) => n.recipient).sort()).toEqual([...HOLDERS].sort());
    expect(distinctIds('/lab').size).toBe(0);
    // Checked as a receiver would, with the official Standard Webhooks library.
    const official = new Webhook(SECRET);
    for (const webhook of receiver.received.filter((r) => r.status === 200)) {
      const headers = webhook.headers as Record<string, string>;
      expect(official.verify(webhook.body, headers)).toEqual(JSON.parse(webhook.body));
      const body = JSON.parse(webhook.body) as { noticeId: string; recallId: string };
      expect(body).toMatchObject({ noticeId: webhook.headers['webhook-id'], recallId: RECALL });
    }
    const shop2 = issued.find((n) => n.recipient === 'shop-2');
    expect(shop2?.batches).toEqual([{ batchId: 'FORMULA', quantity: 10, unit: 'kg' }]);
  });

  it('retries a receiver that answered 500 twice, and delivers on the third try with the same id', async () => {
    const attempts = await pollUntil(
      () => {
        const seen = receiver.received.filter((r) => r.path === '/shop-1');
        return seen.some((r) => r.status === 200) ? seen : undefined;
      },
      { timeoutMs: 10_000, what: 'the third try' },
    );
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const notice = await pollUntil(
      async () =>
        (await notices()).find(
          (n) => n.recipient === 'shop-1' && n.delivery.status === 'delivered',
        ),
      { timeoutMs: 10_000, what: 'the delivery to be recorded' },
    );
    expect(notice.delivery.attempts).toBe(3);
  });

  it('stays standing: a later shipment of an affected batch warns, and notifies the new holder', async () => {
    const answer = await post('dist', [shipped('S-D3', 'shop-3', ['FORMULA'], 5)]);
    expect(answer.warnings?.[0]?.recallIds).toEqual([RECALL]);
    await pollUntil(() => distinctIds('/shop-3').size === 1 || undefined, {
      timeoutMs: 30_000,
      what: 'a notice to shop-3',
    });
    expect((await notices()).filter((n) => n.recipient === 'shop-3')).toHaveLength(1);
  });

  it('counts acknowledgements and recovered quantities; only the recipient may answer', async () => {
    const shop1 = (await notices()).find((n) => n.recipient === 'shop-1')!;
    expect(
      (await platform.postEvents(keys['shop-2']!, [acknowledged(shop1.noticeId)])).status,
    ).toBe(403);
    await post('shop-1', [acknowledged(shop1.noticeId), progressReported(shop1.noticeId, 8, 2)]);
    const recall = await pollUntil(
      async () => {
        const response = await platform.request<Recall>('GET', `/v1/recalls/${RECALL}`, {
          key: keys.samr,
        });
        return response.body.progress.acknowledged === 1 ? response.body : undefined;
      },
      { timeoutMs: 10_000, what: 'the acknowledgement to count' },
    );
    expect(recall.progress).toMatchObject({ notices: 7, acknowledged: 1, recovered: 8 });
  });

  it('a mock recall of the same batch lists the same parties, and issues nothing', async () => {
    const before = (await notices()).length;
    const mock = await platform.request<{ parties: Array<{ partyId: string }> }>(
      'POST',
      '/v1/recalls/mock',
      {
        key: keys.samr,
        body: { rootBatchIds: ['RAW'] },
      },
    );
    expect(mock.status).toBe(200);
    const real = (await notices()).map((n) => n.recipient).sort();
    expect(mock.body.parties.map((p) => p.partyId).sort()).toEqual(real);
    expect((await notices()).length).toBe(before);
  });

  it('is closed by a regulator only', async () => {
    expect((await platform.postEvents(keys.dist!, [recallClosed(RECALL)])).status).toBe(403);
    await post('samr', [recallClosed(RECALL)]);
    await pollUntil(
      async () =>
        (await platform.request<Recall>('GET', `/v1/recalls/${RECALL}`, { key: keys.samr })).body
          .status === 'closed' || undefined,
      { timeoutMs: 10_000, what: 'the recall to close' },
    );
  });
});

describe('other ways a recall opens', () => {
  it('a failed supervisory sampling orders one at the policy level', async () => {
    const sampling = {
      ...inspected('LOT-S', 'FAIL', 'SUPERVISORY_SAMPLING'),
      inspectionId: 'INS-S',
    };
    await post('plant', [produced('LOT-S')]);
    await post('samr', [sampling]);
    const recall = await pollUntil(
      async () => {
        const response = await platform.request<Recall & { mode: string }>(
          'GET',
          '/v1/recalls/RC-INS-S',
          { key: keys.samr },
        );
        return response.status === 200 ? response.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the ordered recall' },
    );
    expect(recall).toMatchObject({ level: 2, mode: 'ORDERED', status: 'open' });
  });

  it('does not depend on which service saw an event first: a shipment posted with the defect is covered', async () => {
    const noHook = await platform.createParty('shop-nohook');
    await post('plant', [produced('LOT-R')]);
    await post('plant', [
      shipped('S-R', 'shop-nohook', ['LOT-R'], 3),
      defectReported('D-R', ['LOT-R'], 'MAJOR'),
    ]);
    const mine = await pollUntil(
      async () => {
        const response = await platform.request<Notice[]>('GET', '/v1/notices', {
          key: noHook,
        });
        return response.body.length > 0 ? response.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the notice of a party without a webhook' },
    );
    expect(mine).toEqual([
      expect.objectContaining({
        recipient: 'shop-nohook',
        delivery: expect.objectContaining({ status: 'no-webhook' }),
      }),
    ]);
  });

  it('is opened explicitly by a regulator for any batch, by the producer for its own, and by no one else', async () => {
    await post('farm', [produced('LOT-E')]);
    await platform.waitForBatch(keys.samr!, 'LOT-E');
    expect(
      (await platform.postEvents(keys.dist!, [recallInitiated('RC-E-1', ['LOT-E'], 'VOLUNTARY')]))
        .status,
    ).toBe(403);
    expect(
      (await platform.postEvents(keys.farm!, [recallInitiated('RC-E-2', ['LOT-E'], 'ORDERED')]))
        .status,
    ).toBe(400);
    await post('farm', [recallInitiated('RC-E-3', ['LOT-E'], 'VOLUNTARY')]);
    const ordered = recallInitiated('RC-E-4', ['LOT-E'], 'ORDERED', 1);
    await post('samr', [ordered]);
    expect((await platform.postEvents(keys.samr!, [ordered])).body).toEqual({
      results: [{ eventId: ordered.eventId, status: 'duplicate' }],
    });
    // The reuse check reads the projected recalls, so wait until RC-E-4 is one of them.
    await pollUntil(
      async () =>
        (await platform.request('GET', '/v1/recalls/RC-E-4', { key: keys.samr! })).status === 200,
      { timeoutMs: 30_000, intervalMs: 50, what: 'recall RC-E-4 to be projected' },
    );
    const reused = await platform.postEvents(keys.samr!, [
      recallInitiated('RC-E-4', ['LOT-E'], 'ORDERED', 1),
    ]);
    expect(reused.status).toBe(409);
  });
});
