/**
 * Consumer complaints (DefectReported v2's `complaint`) and parties' registered regions in risk
 * early warning, on the real embedded platform, answers computed by hand.
 *
 *   batch  product  producer (registered)  site region  inspection
 *   M-1    MILK     plant-hz (330106)      —            FAIL
 *   M-2    MILK     plant-hz (330106)      —            PASS
 *   K-1    KEFIR    plant-hz (330106)      330110       FAIL
 *   K-2    KEFIR    plant-hz (330106)      330110       PASS
 *   Y-1    YOG      plant-nb (none)        —            FAIL
 *   Y-2    YOG      plant-nb (none)        —            PASS
 *
 *   complaint  batch  consumer in  illness
 *   C-1        M-1    330106       yes
 *   C-2        M-2    330106       yes
 *   C-3        M-1    330108       no
 *   C-4        Y-1    330106       yes
 *   C-5        Y-1    (a COMPLAINT without a complaint record)
 *
 * Defect cluster (≥ 3 reports on a product): MILK has C-1, C-2, C-3 = 3, raised; YOG C-4, C-5 = 2.
 * Illness (≥ 2 on a product, 一级): MILK C-1, C-2 = 2, raised; YOG only C-4. Complaints by the
 * consumer's division (≥ 3): 330106 has C-1, C-2, C-4 = 3, raised; 330108 one; C-5 none.
 * Failure rate by region (≥ 2 samples, rate ≥ 0.5): the M batches name no site, so they count
 * under plant-hz's registered 330106 — 1 of 2, raised; the K batches' site names 330110, which
 * wins over the registration — 1 of 2, raised; the Y batches count under none until plant-nb is
 * given 330200 (PUT /v1/parties/plant-nb/region), then 1 of 2, raised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarningView } from '../../services/common/api/warnings.js';
import { stableUuid } from '../../services/common/stable-id.js';
import { defectReported, inspected, produced } from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

const rule = (id: string, signal: string, threshold: number, level: number, minSamples = 1) => ({
  id,
  signal,
  window: '30d',
  minSamples,
  threshold,
  level,
});
const RULES = [
  rule('product-defect-cluster', 'defects-by-product', 3, 2),
  rule('product-illness-complaints', 'illness-complaints-by-product', 2, 1),
  rule('region-complaints', 'complaints-by-region', 3, 3),
  rule('region-failure-rate', 'failure-rate-by-region', 0.5, 3, 2),
];
const COMPLAINTS: Array<[defectId: string, batchId: string, region: string, illness: boolean]> = [
  ['C-1', 'M-1', '330106', true],
  ['C-2', 'M-2', '330106', true],
  ['C-3', 'M-1', '330108', false],
  ['C-4', 'Y-1', '330106', true],
];

let api: TestPlatform;
const keys = new Map<string, string>();
const key = (party: string) => keys.get(party) ?? '';
const eventIds = new Map<string, string>();
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const ids = (...names: string[]) => names.map((name) => eventIds.get(name)).sort();

async function post(party: string, events: unknown[]) {
  const response = await api.postEvents(key(party), events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

async function createParty(partyId: string, body: object = {}) {
  const response = await api.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name: partyId, roles: ['submitter'], ...body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  keys.set(partyId, response.body.apiKey);
}

const made = (batchId: string, product: string, region?: string) =>
  produced(batchId, [], {
    product: { id: product, name: `product ${product}` },
    ...(region ? { location: { siteId: 'line-1', region } } : {}),
  });

const complaint = (region: string, illnessReported: boolean) => ({
  channel: 'HOTLINE_12315',
  receivedAt: hoursAgo(3),
  region,
  purchasePlace: '文三路超市',
  unitsAffected: 1,
  illnessReported,
  reference: `12315-${region}`,
});

beforeAll(async () => {
  api = await startTestPlatform({ SUYUAN_WARNING_RULES: JSON.stringify(RULES) });
  await createParty('plant-hz', { region: '330106' });
  await createParty('plant-nb');
  await createParty('lab');
  await createParty('hotline');
  keys.set('samr', await api.createParty('samr', ['regulator']));
  await post('plant-hz', [
    made('M-1', 'MILK'),
    made('M-2', 'MILK'),
    made('K-1', 'KEFIR', '330110'),
    made('K-2', 'KEFIR', '330110'),
  ]);
  await post('plant-nb', [made('Y-1', 'YOG'), made('Y-2', 'YOG')]);
  const tests = (['M', 'K', 'Y'] as const).flatMap((line, i) => {
    const failing = { ...inspected(`${line}-1`, 'FAIL'), eventTime: hoursAgo(5 + i) };
    eventIds.set(`${line}-1`, failing.eventId);
    return [failing, { ...inspected(`${line}-2`, 'PASS'), eventTime: hoursAgo(5 + i) }];
  });
  await post('lab', tests);
  const reports = COMPLAINTS.map(([defectId, batchId, region, illness]) => {
    const report = {
      ...defectReported(defectId, [batchId]),
      eventTime: hoursAgo(2),
      complaint: complaint(region, illness),
    };
    eventIds.set(defectId, report.eventId);
    return report;
  });
  const bare = { ...defectReported('C-5', ['Y-1']), eventTime: hoursAgo(2) };
  eventIds.set('C-5', bare.eventId);
  await post('hotline', [...reports, bare]);
}, 120_000);
afterAll(() => api?.stop());

const read = async () => {
  const response = await api.request<WarningView[]>('GET', '/v1/warnings', { key: key('samr') });
  expect(response.status).toBe(200);
  return response.body;
};
const about = (warnings: WarningView[]) =>
  warnings.map((warning) => `${warning.ruleId} ${warning.subject.id}`).sort();

/** Waits until the warnings are exactly `expected` (rule and subject): every event counted. */
const warningsUntil = (expected: string[]) =>
  pollUntil(
    async () => {
      const warnings = await read();
      return JSON.stringify(about(warnings)) === JSON.stringify([...expected].sort())
        ? warnings
        : undefined;
    },
    { what: `the warnings ${expected.join(', ')}`, timeoutMs: 30_000, intervalMs: 100 },
  );

const find = (warnings: WarningView[], ruleId: string, subject: string) =>
  warnings.find((warning) => warning.ruleId === ruleId && warning.subject.id === subject);

const RAISED = [
  'product-defect-cluster MILK',
  'product-illness-complaints MILK',
  'region-complaints 330106',
  'region-failure-rate 330106',
  'region-failure-rate 330110',
];

describe('consumer complaints in risk early warning', () => {
  it('raises the clusters of complaints on a product, of illness, and by consumer region', async () => {
    const warnings = await warningsUntil(RAISED);
    expect(find(warnings, 'product-defect-cluster', 'MILK')).toMatchObject({
      warningId: stableUuid('warning/product-defect-cluster/MILK'),
      level: 2,
      subject: { kind: 'product', id: 'MILK' },
      productId: 'MILK',
      value: 3,
      evidence: { defectEventIds: ids('C-1', 'C-2', 'C-3'), batchIds: ['M-1', 'M-2'] },
      suspectedBatchId: 'M-1',
      // M-1's production names no site region: its producer's registered one.
      region: '330106',
    });
    expect(find(warnings, 'product-illness-complaints', 'MILK')).toMatchObject({
      signal: 'illness-complaints-by-product',
      level: 1,
      value: 2,
      threshold: 2,
      evidence: { inspectionEventIds: [], defectEventIds: ids('C-1', 'C-2') },
      region: '330106',
    });
    expect(find(warnings, 'region-complaints', '330106')).toMatchObject({
      signal: 'complaints-by-region',
      level: 3,
      subject: { kind: 'region', id: '330106' },
      productId: null,
      value: 3,
      evidence: { defectEventIds: ids('C-1', 'C-2', 'C-4'), batchIds: ['M-1', 'M-2', 'Y-1'] },
      region: '330106',
    });
  });

  it('counts a batch under its site region, else its producer’s registered region', async () => {
    const warnings = await warningsUntil(RAISED);
    expect(find(warnings, 'region-failure-rate', '330106')).toMatchObject({
      value: 0.5,
      samples: 2,
      evidence: { inspectionEventIds: ids('M-1'), batchIds: ['M-1'] },
      region: '330106',
    });
    expect(find(warnings, 'region-failure-rate', '330110')).toMatchObject({
      value: 0.5,
      samples: 2,
      evidence: { inspectionEventIds: ids('K-1'), batchIds: ['K-1'] },
      region: '330110',
    });
  });

  it("counts a party's batches under the region it is given, and under none once cleared", async () => {
    const setRegion = (region: string | null) =>
      api.request<{ partyId: string; region: string | null }>(
        'PUT',
        '/v1/parties/plant-nb/region',
        { key: TEST_ADMIN_KEY, body: { region } },
      );
    const given = await setRegion('330200');
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    expect(given.body).toEqual({ partyId: 'plant-nb', region: '330200' });
    const warnings = await warningsUntil([...RAISED, 'region-failure-rate 330200']);
    expect(find(warnings, 'region-failure-rate', '330200')).toMatchObject({
      value: 0.5,
      samples: 2,
      evidence: { inspectionEventIds: ids('Y-1'), batchIds: ['Y-1'] },
    });
    expect((await setRegion(null)).status).toBe(200);
    await warningsUntil(RAISED);
  });
});

describe('bad complaint and region input', () => {
  const refused = async (party: string, events: unknown[]) => {
    const response = await api.postEvents(key(party), events);
    expect(response.status).toBe(400);
    return JSON.stringify(response.body);
  };
  const report = (fields: object) => ({
    ...defectReported('C-BAD', ['M-1']),
    eventTime: hoursAgo(1),
    ...fields,
  });

  it('refuses a complaint on a report that is not a COMPLAINT, naming complaint', async () => {
    const body = await refused('hotline', [
      report({ source: 'INSPECTION', complaint: complaint('330106', true) }),
    ]);
    expect(body).toMatch(/complaint: only a report whose source is COMPLAINT/);
  });

  it.each([
    ['region', { region: 'Hangzhou' }, /complaint\.region: must be a six-digit/],
    ['unitsAffected', { unitsAffected: 0 }, /complaint\.unitsAffected: must be greater than 0/],
    ['illnessReported', { illnessReported: 'yes' }, /complaint\.illnessReported/],
    ['channel', { channel: 'WECHAT' }, /complaint\.channel/],
    ['a consumer’s name', { consumerName: '张三' }, /complaint.*consumerName/],
  ])('refuses a complaint with a bad %s, naming the field', async (_, change, message) => {
    const body = await refused('hotline', [
      report({ complaint: { ...complaint('330106', true), ...change } }),
    ]);
    expect(body).toMatch(message);
  });

  it('refuses a party region that is not a division code, naming region', async () => {
    const created = await api.request<{ message: string }>('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: { partyId: 'plant-bad', name: 'bad', roles: ['submitter'], region: '杭州' },
    });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/region: must be a six-digit/);
    const changed = await api.request<{ message: string }>('PUT', '/v1/parties/plant-hz/region', {
      key: TEST_ADMIN_KEY,
      body: { region: '3301' },
    });
    expect(changed.status).toBe(400);
    expect(changed.body.message).toMatch(/region: must be a six-digit/);
    const unknown = await api.request('PUT', '/v1/parties/nobody/region', {
      key: TEST_ADMIN_KEY,
      body: { region: '330106' },
    });
    expect(unknown.status).toBe(404);
    const notAdmin = await api.request('PUT', '/v1/parties/plant-hz/region', {
      key: key('plant-hz'),
      body: { region: '330106' },
    });
    expect(notAdmin.status).toBe(403);
  });

  it('wrote nothing of what it refused', async () => {
    const warnings = await warningsUntil(RAISED);
    expect(find(warnings, 'product-defect-cluster', 'MILK')?.value).toBe(3);
    expect(find(warnings, 'region-failure-rate', '330106')?.region).toBe('330106');
  });
});
