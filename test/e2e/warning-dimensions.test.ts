/**
 * Failure rates by region and by hazard on the real embedded platform, answers computed by hand.
 * A batch's region is the administrative division of the site it was made at (BatchProduced
 * v3's `location.region`); an inspection's hazard is what it tested for (InspectionRecorded v4).
 *
 *   batch    made in   inspection  hazard
 *   P-HZ-1   330106    FAIL        lead
 *   P-HZ-2   330106    FAIL        lead
 *   P-HZ-3   330106    PASS        lead
 *   P-HZ-4   330106    PASS        Listeria
 *   P-NB-1   330200    FAIL        Listeria
 *   P-NB-2   330200    PASS        —
 *   P-NB-3   330200    PASS        lead
 *   P-X-1    —         FAIL        lead
 *
 * Region rule (4 samples, rate ≥ 0.5): 330106 fails 2 of 4 = 0.5, raised; 330200 fails 1 of 3,
 * too few samples; P-X-1 has no region and counts under none. Hazard rule (3 samples, rate ≥
 * 0.6): lead fails 3 of 5 (P-HZ-1, P-HZ-2, P-X-1 of those and P-HZ-3, P-NB-3) = 0.6, raised;
 * Listeria fails 1 of 2, too few; P-NB-2's test names no hazard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarningView } from '../../services/common/api/warnings.js';
import { stableUuid } from '../../services/common/stable-id.js';
import { inspected, produced, shipped } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

const RULES = [
  {
    id: 'region-failure-rate',
    signal: 'failure-rate-by-region',
    window: '30d',
    minSamples: 4,
    threshold: 0.5,
    level: 3,
  },
  {
    id: 'hazard-failure-rate',
    signal: 'failure-rate-by-hazard',
    window: '30d',
    minSamples: 3,
    threshold: 0.6,
    level: 2,
  },
];
const TESTS: Array<[batchId: string, result: 'PASS' | 'FAIL', hazard: string | null]> = [
  ['P-HZ-1', 'FAIL', 'lead'],
  ['P-HZ-2', 'FAIL', 'lead'],
  ['P-HZ-3', 'PASS', 'lead'],
  ['P-HZ-4', 'PASS', 'Listeria'],
  ['P-NB-1', 'FAIL', 'Listeria'],
  ['P-NB-2', 'PASS', null],
  ['P-NB-3', 'PASS', 'lead'],
  ['P-X-1', 'FAIL', 'lead'],
];

let api: TestPlatform;
const keys = new Map<string, string>();
const key = (party: string) => keys.get(party) ?? '';
const failedEventIds = new Map<string, string>();
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const site = (region: string | undefined) => ({
  location: { siteId: 'line-1', name: '一号车间', ...(region ? { region } : {}) },
});

async function post(party: string, events: unknown[]) {
  const response = await api.postEvents(key(party), events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

beforeAll(async () => {
  api = await startTestPlatform({ SUYUAN_WARNING_RULES: JSON.stringify(RULES) });
  for (const party of ['plant-hz', 'plant-nb', 'plant-x', 'lab']) {
    keys.set(party, await api.createParty(party));
  }
  keys.set('samr', await api.createParty('samr', ['regulator']));
  await post(
    'plant-hz',
    [1, 2, 3, 4].map((n) => produced(`P-HZ-${n}`, [], site('330106'))),
  );
  await post(
    'plant-nb',
    [1, 2, 3].map((n) => produced(`P-NB-${n}`, [], site('330200'))),
  );
  await post('plant-x', [produced('P-X-1', [], site(undefined))]);
  const inspections = TESTS.map(([batchId, result, hazard], i) => {
    const event = { ...inspected(batchId, result), eventTime: hoursAgo(1 + i) };
    if (result === 'FAIL') failedEventIds.set(batchId, event.eventId);
    return hazard === null ? event : { ...event, hazard };
  });
  await post('lab', inspections);
  await api.waitForBatch(key('samr'), 'P-X-1');
}, 120_000);
afterAll(() => api?.stop());

const failed = (...batchIds: string[]) => batchIds.map((id) => failedEventIds.get(id)).sort();

/** The inspections reach the store a moment after the batches: waits until all eight count. */
const warnings = () =>
  pollUntil(
    async () => {
      const response = await api.request<WarningView[]>('GET', '/v1/warnings', {
        key: key('samr'),
      });
      expect(response.status).toBe(200);
      const hazard = response.body.find((warning) => warning.subject.kind === 'hazard');
      return hazard?.samples === 5 ? response.body : undefined;
    },
    { what: 'every inspection counted', timeoutMs: 30_000, intervalMs: 100 },
  );

describe('failure rates by region and by hazard', () => {
  it('raises the region and the hazard that reach their rules, and no other', async () => {
    const raised = await warnings();
    expect(raised.map((warning) => [warning.subject.kind, warning.subject.id]).sort()).toEqual([
      ['hazard', 'lead'],
      ['region', '330106'],
    ]);
    expect(raised.find((warning) => warning.subject.kind === 'region')).toMatchObject({
      warningId: stableUuid('warning/region-failure-rate/330106'),
      signal: 'failure-rate-by-region',
      level: 3,
      value: 0.5,
      samples: 4,
      threshold: 0.5,
      productId: null,
      partyId: null,
      evidence: { inspectionEventIds: failed('P-HZ-1', 'P-HZ-2'), batchIds: ['P-HZ-1', 'P-HZ-2'] },
      suspectedBatchId: 'P-HZ-1',
    });
    expect(raised.find((warning) => warning.subject.kind === 'hazard')).toMatchObject({
      warningId: stableUuid('warning/hazard-failure-rate/lead'),
      signal: 'failure-rate-by-hazard',
      level: 2,
      value: 0.6,
      samples: 5,
      evidence: {
        inspectionEventIds: failed('P-HZ-1', 'P-HZ-2', 'P-X-1'),
        batchIds: ['P-HZ-1', 'P-HZ-2', 'P-X-1'],
      },
    });
  });

  it('refuses a region that is not a division code, and a region anywhere but a production', async () => {
    const notCode = await api.postEvents(key('plant-x'), [produced('P-X-2', [], site('Hangzhou'))]);
    expect(notCode.status).toBe(400);
    expect(JSON.stringify(notCode.body)).toMatch(/location\.region.*six-digit/);
    const onShipment = await api.postEvents(key('plant-x'), [
      { ...shipped('S-X', 'lab', ['P-X-1'], 1), ...site('330106') },
    ]);
    expect(onShipment.status).toBe(400);
    expect(JSON.stringify(onShipment.body)).toMatch(/location.*region/);
  });

  it("keeps the hazard in the inspection's data as sent", async () => {
    // The region is counted above; the timeline's location shows gln, siteId and name only.
    const batch = await api.request<{ timeline: Array<{ eventType: string; data: object }> }>(
      'GET',
      '/v1/batches/P-HZ-1',
      { key: key('samr') },
    );
    expect(batch.status).toBe(200);
    const inspection = batch.body.timeline.find(
      (entry) => entry.eventType === 'InspectionRecorded',
    );
    expect(inspection?.data).toMatchObject({ result: 'FAIL', hazard: 'lead' });
  });
});
