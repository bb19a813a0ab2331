/**
 * What a party sees of a recall follows the one-up/one-down rule of its traces; a regulator sees
 * all. maker-a recalls its batch LOT-A, which reached its customers dist-d and proc-x, and their
 * customers shop-s1, shop-s2 and retail-r (who repacked it as LOT-R-HIDDEN). maker-a may name its
 * customers, not theirs, anywhere: the mock recall, the recall, its notices, the report in JSON
 * and CSV, the listings. It still learns how far the recall reaches, tier by tier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeIdFor } from '../../services/recall/plan-notices.js';
import {
  acknowledged,
  defectReported,
  produced,
  received,
  recallInitiated,
  shipped,
} from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

const RECALL = 'RC-VIS';
/** Everything about maker-a's customers' customers: ids and names. */
const BEYOND_MAKER = /shop-s1|shop-s2|retail-r|Shop One|Shop Two|Retailer R|LOT-R-HIDDEN/;
const BEYOND_DIST = /retail-r|Retailer R|LOT-R-HIDDEN/;
const EVERYONE = ['dist-d', 'maker-a', 'proc-x', 'retail-r', 'shop-s1', 'shop-s2'];

let platform: TestPlatform;
const keys: Record<string, string> = {};

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

/** The raw answer, as text, for what a party reads. */
const raw = async (party: string, path: string) => {
  const response = await fetch(`${platform.url}${path}`, {
    headers: { authorization: `Bearer ${keys[party]}` },
  });
  expect(response.status, path).toBe(200);
  return response.text();
};
const json = async <T>(party: string, path: string) => JSON.parse(await raw(party, path)) as T;
const mock = async (party: string) => {
  const response = await platform.request<MockView>('POST', '/v1/recalls/mock', {
    key: keys[party]!,
    body: { rootBatchIds: ['LOT-A'] },
  });
  expect(response.status).toBe(200);
  return { body: response.body, text: JSON.stringify(response.body) };
};

interface MockView {
  parties: Array<{ partyId: string }>;
  affectedBatchIds: string[];
  affectedBatchCount: number;
  byTier: Array<{ tier: number | null; parties: number }>;
  redacted: boolean;
}
interface RecallView {
  recallId: string;
  affectedBatchIds: string[];
  redacted: boolean;
  progress: { notices: number; byTier: Array<{ tier: number | null; notices: number }> };
}
const recipients = (notices: Array<{ recipient: string }>) =>
  notices.map((notice) => notice.recipient).sort();

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const [partyId, name, roles] of [
    ['maker-a', 'Maker A Foods', ['submitter']],
    ['dist-d', 'Distributor D', ['submitter']],
    ['proc-x', 'Processor X', ['submitter']],
    ['shop-s1', 'Shop One', ['submitter']],
    ['shop-s2', 'Shop Two', ['submitter']],
    ['retail-r', 'Retailer R', ['submitter']],
    ['outsider', 'Outsider O', ['submitter']],
    ['samr', 'SAMR', ['regulator']],
  ] as const) {
    keys[partyId] = await platform.createParty(partyId, [...roles], name);
  }
  await post('maker-a', [
    produced('LOT-A'),
    shipped('S-AD', 'dist-d', ['LOT-A'], 30),
    shipped('S-AX', 'proc-x', ['LOT-A'], 20),
  ]);
  await post('dist-d', [
    received('S-AD', 'maker-a', ['LOT-A'], 30),
    shipped('S-DS1', 'shop-s1', ['LOT-A'], 10),
    shipped('S-DS2', 'shop-s2', ['LOT-A'], 10), // still in transit
  ]);
  await post('proc-x', [
    received('S-AX', 'maker-a', ['LOT-A'], 20),
    produced('LOT-X', ['LOT-A']),
    shipped('S-XR', 'retail-r', ['LOT-X'], 5),
  ]);
  await post('retail-r', [
    received('S-XR', 'proc-x', ['LOT-X'], 5),
    produced('LOT-R-HIDDEN', ['LOT-X']),
  ]);
  await post('shop-s1', [received('S-DS1', 'dist-d', ['LOT-A'], 10)]);
  await platform.waitForBatch(keys.samr!, 'LOT-R-HIDDEN');
  await post('maker-a', [recallInitiated(RECALL, ['LOT-A'], 'VOLUNTARY')]);
  await pollUntil(
    async () => {
      const response = await platform.request<Array<{ recipient: string }>>(
        'GET',
        `/v1/recalls/${RECALL}/notices`,
        { key: keys.samr! },
      );
      return response.status === 200 && response.body.length === EVERYONE.length;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: 'every notice of the recall' },
  );
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe('a producer running its own recall', () => {
  it('mocks it seeing its customers, not theirs, and the count at every tier', async () => {
    const { body, text } = await mock('maker-a');
    expect(text).not.toMatch(BEYOND_MAKER);
    expect(body.parties.map((p) => p.partyId).sort()).toEqual(['dist-d', 'maker-a', 'proc-x']);
    expect(body).toMatchObject({
      affectedBatchIds: ['LOT-A', 'LOT-X'],
      affectedBatchCount: 3,
      byTier: [
        { tier: 0, parties: 1 },
        { tier: 1, parties: 2 },
        { tier: 2, parties: 3 },
      ],
      redacted: true,
    });
  });

  it('reads the recall, its notices and its report (JSON and CSV) within the same share', async () => {
    const paths = [
      `/v1/recalls/${RECALL}`,
      `/v1/recalls/${RECALL}/notices`,
      `/v1/recalls/${RECALL}/report`,
      `/v1/recalls/${RECALL}/report?format=csv`,
      '/v1/recalls',
      '/v1/recalls?status=open',
    ];
    for (const path of paths) expect(await raw('maker-a', path)).not.toMatch(BEYOND_MAKER);
    const recall = await json<RecallView>('maker-a', `/v1/recalls/${RECALL}`);
    expect(recall).toMatchObject({ affectedBatchIds: ['LOT-A', 'LOT-X'], redacted: true });
    expect(recall.progress.notices).toBe(6);
    expect(recall.progress.byTier.map(({ tier, notices }) => [tier, notices])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const notices = await json<Array<{ recipient: string }>>(
      'maker-a',
      `/v1/recalls/${RECALL}/notices`,
    );
    expect(recipients(notices)).toEqual(['dist-d', 'maker-a', 'proc-x']);
    const csv = await raw('maker-a', `/v1/recalls/${RECALL}/report?format=csv`);
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const column = header!.split(',').indexOf('recipient');
    expect([...new Set(lines.map((line) => line.split(',')[column]))].sort()).toEqual([
      'dist-d',
      'maker-a',
      'proc-x',
    ]);
  });

  it('cannot find its recall by a batch it may not see', async () => {
    expect(await json('maker-a', '/v1/recalls?batchId=LOT-R-HIDDEN')).toEqual([]);
    expect(await json('maker-a', '/v1/recalls?batchId=LOT-X')).toHaveLength(1);
  });
});

describe('a recall the policy opens on a report from far down the chain', () => {
  it('does not name the reporter to the producer it reaches', async () => {
    await post('maker-a', [produced('LOT-B'), shipped('S-BD', 'dist-d', ['LOT-B'], 10)]);
    await post('dist-d', [
      received('S-BD', 'maker-a', ['LOT-B'], 10),
      shipped('S-BS', 'shop-s1', ['LOT-B'], 5),
    ]);
    await post('shop-s1', [
      received('S-BS', 'dist-d', ['LOT-B'], 5),
      defectReported('D-B', ['LOT-B'], 'CRITICAL'),
    ]);
    const recall = await pollUntil(
      async () => {
        const response = await fetch(`${platform.url}/v1/recalls/RC-D-B`, {
          headers: { authorization: `Bearer ${keys['maker-a']}` },
        });
        return response.status === 200 ? response.text() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the recall the defect opens' },
    );
    expect(recall).toMatch(/CRITICAL defect D-B/);
    expect(recall).not.toMatch(BEYOND_MAKER);
  });
});

describe('other readers of the same recall', () => {
  it('shows a distributor its supplier and its customers, not further', async () => {
    const notices = await json<Array<{ recipient: string }>>(
      'dist-d',
      `/v1/recalls/${RECALL}/notices`,
    );
    expect(recipients(notices)).toEqual(['dist-d', 'maker-a', 'proc-x', 'shop-s1', 'shop-s2']);
    for (const path of [`/v1/recalls/${RECALL}`, `/v1/recalls/${RECALL}/report?format=csv`]) {
      expect(await raw('dist-d', path)).not.toMatch(BEYOND_DIST);
    }
  });

  it('shows a regulator everything, unredacted', async () => {
    const { body } = await mock('samr');
    expect(body.parties.map((p) => p.partyId).sort()).toEqual(EVERYONE);
    expect(body.redacted).toBe(false);
    const recall = await json<RecallView>('samr', `/v1/recalls/${RECALL}`);
    expect(recall).toMatchObject({
      affectedBatchIds: ['LOT-A', 'LOT-R-HIDDEN', 'LOT-X'],
      redacted: false,
    });
    const notices = await json<Array<{ recipient: string }>>(
      'samr',
      `/v1/recalls/${RECALL}/notices`,
    );
    expect(recipients(notices)).toEqual(EVERYONE);
    const csv = await raw('samr', `/v1/recalls/${RECALL}/report?format=csv`);
    for (const name of ['Shop One', 'Shop Two', 'Retailer R', 'LOT-R-HIDDEN']) {
      expect(csv).toContain(name);
    }
    expect(await json('samr', '/v1/recalls?batchId=LOT-R-HIDDEN')).toHaveLength(1);
  });
});

describe('probing recalls through events', () => {
  it('answers an answer to an unknown notice as to another party’s: who a recall reached stays unsaid', async () => {
    const answers = await Promise.all(
      [
        noticeIdFor(RECALL, 'shop-s1'),
        noticeIdFor(RECALL, 'nobody'),
        noticeIdFor('RC-NONE', 'x'),
      ].map(async (noticeId) => {
        const response = await platform.postEvents(keys.outsider!, [acknowledged(noticeId)]);
        return { status: response.status, body: response.body };
      }),
    );
    expect(answers[0]?.status).toBe(403);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('refuses a recall of batches not one’s own before saying whether its id is taken', async () => {
    const opening = async (recallId: string) => {
      const response = await platform.postEvents(keys.outsider!, [
        recallInitiated(recallId, ['LOT-A'], 'VOLUNTARY'),
      ]);
      return { status: response.status, body: response.body };
    };
    const taken = await opening(RECALL);
    expect(taken.status).toBe(403);
    expect(await opening('RC-FRESH')).toEqual(taken);
  });
});
