/**
 * Retractions and open recalls, end to end: a retracted RecallInitiated opens nothing, and a
 * retracted RecallClosed leaves its recall open. Ingest's warnings, the recall service's standing
 * recall, the notifier, the listings and the trace's recalled flag all say the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  produced,
  recallClosed,
  recallInitiated,
  retracted,
  shipped,
} from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

interface Recall {
  recallId: string;
  status: string;
}
interface Notice {
  recipient: string;
}

const WAIT = { timeoutMs: 30_000, intervalMs: 50 };
let platform: TestPlatform;
let receiver: WebhookReceiver;
const keys: Record<string, string> = {};

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body as { warnings?: Array<{ recallIds: string[] }> };
}

const get = <T>(path: string, party = 'samr') =>
  platform.request<T>('GET', path, { key: keys[party]! });

/** Waits until the regulator reads the recall with `status` (or, for null, reads none). */
const recallBecomes = (recallId: string, status: string | null) =>
  pollUntil(
    async () => {
      const response = await get<Recall>(`/v1/recalls/${recallId}`);
      if (status === null) return response.status === 404;
      return response.status === 200 && response.body.status === status;
    },
    { ...WAIT, what: `recall ${recallId} to be ${status ?? 'gone'}` },
  );

const recipientsOf = async (recallId: string) => {
  const response = await get<Notice[]>(`/v1/recalls/${recallId}/notices`);
  return response.status === 200 ? response.body.map((n) => n.recipient).sort() : [];
};

const listed = async (query: string) =>
  (await get<Recall[]>(`/v1/recalls${query}`)).body.map((r) => r.recallId).sort();

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  platform = await startTestPlatform({
    SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
    NOTIFIER_POLL_INTERVAL_MS: '20',
  });
  for (const [partyId, roles] of [
    ['maker', ['submitter']],
    ['dist', ['submitter']],
    ['late', ['submitter']],
    ['samr', ['regulator']],
  ] as const) {
    const response = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: { partyId, name: partyId, roles, webhook: { url: `${receiver.url}/${partyId}` } },
    });
    keys[partyId] = response.body.apiKey;
  }
  await post('maker', [
    produced('LOT-A'),
    produced('LOT-B'),
    shipped('S-1', 'dist', ['LOT-A', 'LOT-B'], 20),
  ]);
  await platform.waitForBatch(keys.samr!, 'LOT-B');
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
});

describe('retracted recall events', () => {
  it('a retracted RecallInitiated opens nothing: no recall is listed or read, no batch flagged', async () => {
    const initiation = recallInitiated('RC-A', ['LOT-A'], 'VOLUNTARY');
    await post('maker', [initiation]);
    await pollUntil(async () => (await recipientsOf('RC-A')).includes('dist'), {
      ...WAIT,
      what: 'the notices of RC-A',
    });
    await post('maker', [retracted(initiation.eventId)]);
    await recallBecomes('RC-A', null);
    expect(await listed('')).not.toContain('RC-A');
    expect(await listed('?status=open')).not.toContain('RC-A');
    expect(await listed('?status=closed')).not.toContain('RC-A');
    const batch = await get<{ flags: { recalled: boolean } }>('/v1/batches/LOT-A');
    expect(batch.body.flags.recalled).toBe(false);
  });

  it('a retracted RecallClosed leaves the recall open, in the listings too', async () => {
    await post('samr', [recallInitiated('RC-B', ['LOT-B'], 'ORDERED')]);
    await pollUntil(async () => (await recipientsOf('RC-B')).includes('dist'), {
      ...WAIT,
      what: 'the notices of RC-B',
    });
    const closure = recallClosed('RC-B');
    await post('samr', [closure]);
    await recallBecomes('RC-B', 'closed');
    expect(await listed('?status=closed')).toContain('RC-B');
    await post('samr', [retracted(closure.eventId)]);
    await recallBecomes('RC-B', 'open');
    expect(await listed('?status=open')).toEqual(['RC-B']);
    expect(await listed('?status=closed')).toEqual([]);
  });

  it('ingest warns of the open recall only, and the standing recall reaches the new holder', async () => {
    const answer = await post('dist', [shipped('S-2', 'late', ['LOT-A', 'LOT-B'], 5)]);
    expect(answer.warnings?.map((w) => w.recallIds)).toEqual([['RC-B']]);
    await pollUntil(async () => (await recipientsOf('RC-B')).includes('late'), {
      ...WAIT,
      what: 'RC-B standing: a notice to the new holder',
    });
    expect(await recipientsOf('RC-B')).toEqual(['dist', 'late', 'maker']);
    const mine = await get<Array<{ recallId: string }>>('/v1/notices', 'late');
    expect(mine.body.map((n) => n.recallId)).toEqual(['RC-B']);
    // The webhook of RC-B reached the new holder; nothing of the retracted RC-A ever did.
    await pollUntil(() => receiver.received.some((r) => r.path === '/late') || undefined, {
      ...WAIT,
      what: 'the webhook to the new holder',
    });
    const recallIds = (path: string) =>
      receiver.received
        .filter((r) => r.path === path)
        .map((r) => (JSON.parse(r.body) as { recallId: string }).recallId);
    expect(recallIds('/late')).toEqual(['RC-B']);
  });
});
