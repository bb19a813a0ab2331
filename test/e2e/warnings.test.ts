/**
 * Risk early warning (风险预警) on the real embedded platform, default rules, answers computed by
 * hand: one farm's milk failing in three products made by three dairies raises one 一级 warning
 * pointing at the farm's batch; a single failure in twenty tests of a product raises none; a
 * dismissed warning stays dismissed when a fourth failure changes its figures; every state change
 * is audited; a party sees the warnings about itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureRates, WarningView } from '../../services/common/api/warnings.js';
import { stableUuid } from '../../services/common/stable-id.js';
import { inspected, produced, recallInitiated } from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

let api: TestPlatform;
const keys = new Map<string, string>();
const key = (party: string) => keys.get(party) ?? '';
/** Event ids of the failing inspections, by product batch. */
const failures = new Map<string, string>();
const FARM_WARNING = stableUuid('warning/common-upstream-cause/RAW-W');
/** Every inspection posted, for the failure rates per day. */
const inspections: Array<{ batchId: string; at: string; result: 'PASS' | 'FAIL' }> = [];

/** A time inside every default window: hours before now. */
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

async function post(party: string, events: unknown[]) {
  const response = await api.postEvents(key(party), events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

/** `dairy` makes `batchId` from the farm's milk and its own sugar; the lab fails it. */
async function failingProduct(dairy: string, batchId: string, hours: number) {
  await post(dairy, [
    produced(`SUGAR-${batchId}`),
    produced(batchId, [], {
      inputs: [
        { batchId: 'RAW-W', quantity: 10, unit: 'kg' },
        { batchId: `SUGAR-${batchId}`, quantity: 1, unit: 'kg' },
      ],
    }),
  ]);
  const inspection = { ...inspected(batchId, 'FAIL'), eventTime: hoursAgo(hours) };
  failures.set(batchId, inspection.eventId);
  inspections.push({ batchId, at: inspection.eventTime, result: 'FAIL' });
  await post('lab-w', [inspection]);
}

beforeAll(async () => {
  api = await startTestPlatform();
  for (const party of ['farm-w', 'dairy-a', 'dairy-b', 'dairy-c', 'dairy-d', 'lab-w']) {
    keys.set(party, await api.createParty(party));
  }
  keys.set('samr-w', await api.createParty('samr-w', ['regulator']));
  await post('farm-w', [produced('RAW-W')]);
  await failingProduct('dairy-a', 'P-A', 5);
  await failingProduct('dairy-b', 'P-B', 4);
  await failingProduct('dairy-c', 'P-C', 3);
  // dairy-d's product: 19 tests pass and one fails, 0.05 of 20, below the 0.2 of the rule.
  await post('dairy-d', [produced('P-BIG')]);
  const tests = Array.from({ length: 20 }, (_, i) => ({
    ...inspected('P-BIG', i === 7 ? 'FAIL' : 'PASS'),
    eventTime: hoursAgo(10 + i),
  }));
  await post('lab-w', tests);
  for (const test of tests) inspections.push({ batchId: 'P-BIG', ...pick(test) });
  await api.waitForBatch(key('samr-w'), 'P-BIG');
}, 120_000);
afterAll(() => api?.stop());

const pick = (event: { eventTime: string; result: 'PASS' | 'FAIL' }) => ({
  at: event.eventTime,
  result: event.result,
});

async function warnings(party: string, query = ''): Promise<WarningView[]> {
  const response = await api.request<WarningView[]>('GET', `/v1/warnings${query}`, {
    key: key(party),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const changeState = (warningId: string, body: unknown, party = 'samr-w') =>
  api.request<WarningView & { message: string }>('POST', `/v1/warnings/${warningId}/state`, {
    key: key(party),
    body,
  });

describe('GET /v1/warnings', () => {
  it("raises one 一级 warning pointing at the farm's milk behind three failed products", async () => {
    const raised = await warnings('samr-w');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      warningId: FARM_WARNING,
      ruleId: 'common-upstream-cause',
      signal: 'failed-outputs-by-upstream-batch',
      level: 1,
      status: 'open',
      subject: { kind: 'batch', id: 'RAW-W' },
      productId: 'GTIN-RAW-W',
      partyId: 'farm-w',
      region: null,
      value: 3,
      samples: 3,
      threshold: 3,
      evidence: {
        inspectionEventIds: ['P-A', 'P-B', 'P-C'].map((id) => failures.get(id)).sort(),
        defectEventIds: [],
        batchIds: ['P-A', 'P-B', 'P-C'],
      },
      suspectedBatchId: 'RAW-W',
      trace: '/v1/batches/RAW-W/trace?direction=both',
      history: [],
    });
    const trace = await api.request('GET', raised[0]?.trace ?? '', { key: key('samr-w') });
    expect(trace.status).toBe(200);
  });

  it('filters by level, status, product and party, and shows a party the warnings about it', async () => {
    expect(await warnings('samr-w', '?level=2')).toEqual([]);
    expect(await warnings('samr-w', '?level=1&partyId=farm-w')).toHaveLength(1);
    expect(await warnings('samr-w', '?productId=GTIN-P-A')).toEqual([]);
    expect((await warnings('farm-w')).map((w) => w.warningId)).toEqual([FARM_WARNING]);
    expect(await warnings('dairy-a')).toEqual([]);
    const bad = await api.request<{ message: string }>('GET', '/v1/warnings?level=4', {
      key: key('samr-w'),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/level/);
  });
});

describe("a warning's region", () => {
  it("is the division of its suspected batch's producer as registered, not its public words", async () => {
    // RAW-W's production names no site region, so the farm's registered one is the batch's.
    const profile = await api.request('PUT', '/v1/parties/farm-w/public-profile', {
      key: key('farm-w'),
      body: { showName: false, region: '内蒙古自治区 呼和浩特市' },
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect((await warnings('samr-w'))[0]?.region).toBeNull();
    const region = await api.request('PUT', '/v1/parties/farm-w/region', {
      key: TEST_ADMIN_KEY,
      body: { region: '150100' },
    });
    expect(region.status, JSON.stringify(region.body)).toBe(200);
    expect((await warnings('samr-w'))[0]).toMatchObject({
      warningId: FARM_WARNING,
      region: '150100',
    });
  });
});

describe('GET /v1/failure-rates', () => {
  const rates = async (party: string, query: string) => {
    const response = await api.request<FailureRates & { message: string }>(
      'GET',
      `/v1/failure-rates${query}`,
      { key: key(party) },
    );
    return response;
  };
  /** The posted inspections of `batchIds` counted per day, as the answer should count them. */
  const byDay = (batchIds: string[]) => {
    const days = new Map<string, { inspections: number; failures: number }>();
    for (const { at, result } of inspections.filter((i) => batchIds.includes(i.batchId))) {
      const day = at.slice(0, 10);
      const counts = days.get(day) ?? { inspections: 0, failures: 0 };
      days.set(day, {
        inspections: counts.inspections + 1,
        failures: counts.failures + (result === 'FAIL' ? 1 : 0),
      });
    }
    return Object.fromEntries(days);
  };
  const counted = (answer: FailureRates) =>
    Object.fromEntries(
      answer.days
        .filter((day) => day.inspections > 0)
        .map(({ day, inspections: n, failures: f }) => [day, { inspections: n, failures: f }]),
    );

  it('counts inspections and failures per day over the window, for a product or a producer', async () => {
    const all = await rates('samr-w', '?days=7');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.days).toHaveLength(7);
    expect(all.body.days.at(-1)?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(counted(all.body)).toEqual(byDay(['P-A', 'P-B', 'P-C', 'P-BIG']));
    const big = await rates('samr-w', '?days=7&productId=GTIN-P-BIG');
    expect(counted(big.body)).toEqual(byDay(['P-BIG']));
    const dairyD = await rates('samr-w', '?days=7&partyId=dairy-d');
    expect(counted(dairyD.body)).toEqual(byDay(['P-BIG']));
  });

  it("shows a party only its own batches' inspections, and names a bad window", async () => {
    const own = await rates('dairy-a', '?days=7&partyId=dairy-d');
    expect(counted(own.body)).toEqual(byDay(['P-A']));
    const bad = await rates('samr-w', '?days=0');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/days/);
  });
});

/** The recall reaches the store a moment after the batch is visible: escalate once it has. */
async function pollEscalation(): Promise<WarningView> {
  return pollUntil(
    async () => {
      const response = await changeState(FARM_WARNING, { status: 'escalated', recallId: 'RC-W' });
      return response.status === 200 ? response.body : undefined;
    },
    { what: 'the recall RC-W to be stored', timeoutMs: 30_000, intervalMs: 100 },
  );
}

describe('POST /v1/warnings/{id}/state', () => {
  it('refuses a dismissal without a reason, a party that is not a regulator, an unknown id', async () => {
    const noReason = await changeState(FARM_WARNING, { status: 'dismissed' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toMatch(/reason/);
    const noRecall = await changeState(FARM_WARNING, { status: 'escalated' });
    expect(noRecall.status).toBe(400);
    expect(noRecall.body.message).toMatch(/recallId/);
    expect((await changeState(FARM_WARNING, { status: 'acknowledged' }, 'farm-w')).status).toBe(
      403,
    );
    expect(
      (await changeState(stableUuid('no such warning'), { status: 'acknowledged' })).status,
    ).toBe(404);
    expect((await warnings('samr-w'))[0]?.history).toEqual([]);
  });

  it('keeps a dismissed warning dismissed when its signal is computed again with new figures', async () => {
    const acknowledged = await changeState(FARM_WARNING, { status: 'acknowledged' });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    const dismissed = await changeState(FARM_WARNING, {
      status: 'dismissed',
      reason: '  raw milk retested clean; dairies share a contaminated filler  ',
    });
    expect(dismissed.body.status).toBe('dismissed');
    // A fourth product of the same milk fails: the signal now counts 4.
    await failingProduct('dairy-d', 'P-D', 1);
    await api.waitForBatch(key('samr-w'), 'P-D');
    const [again] = await warnings('samr-w', '?status=dismissed');
    expect(again).toMatchObject({ warningId: FARM_WARNING, status: 'dismissed', value: 4 });
    expect(again?.history.map((change) => [change.status, change.reason, change.by])).toEqual([
      ['acknowledged', null, 'samr-w'],
      ['dismissed', 'raw milk retested clean; dairies share a contaminated filler', 'samr-w'],
    ]);
    expect(await warnings('samr-w', '?status=open')).toEqual([]);
  });

  it('escalates a warning to a recall that exists, and to no other', async () => {
    const unknown = await changeState(FARM_WARNING, { status: 'escalated', recallId: 'RC-NONE' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/recallId/);
    await post('samr-w', [recallInitiated('RC-W', ['RAW-W'], 'ORDERED', 1)]);
    await api.waitForBatch(key('samr-w'), 'RAW-W');
    const escalated = await pollEscalation();
    expect(escalated.status).toBe('escalated');
    expect(escalated.history.at(-1)).toMatchObject({ status: 'escalated', recallId: 'RC-W' });
  });

  it('audits every state change with who made it', async () => {
    const audit = await api.request<Array<{ actor: string; action: string; target: string }>>(
      'GET',
      '/v1/audit?action=warning.state',
      { key: TEST_ADMIN_KEY },
    );
    expect(audit.status).toBe(200);
    const changes = audit.body.filter((entry) => entry.target === FARM_WARNING);
    // Newest first: the dismissal, the acknowledgement, and the refused attempts before them.
    expect(changes.map((entry) => entry.actor)).toContain('samr-w');
    expect(changes.map((entry) => entry.actor)).toContain('farm-w');
    expect(changes.length).toBeGreaterThanOrEqual(5);
  });
});
