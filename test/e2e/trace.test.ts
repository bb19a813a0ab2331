// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspected, produced, received, retracted, shipped } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

interface Trace {
  root: string;
  direction: string;
  truncated: boolean;
  batches: Array<{
    batchId: string;
    depth: number;
    producer: string | null;
    flags: { recalled: boolean; failedInspection: boolean };
  }>;
  derivations: Array<{ input: string; output: string; party: string; eventId: string }>;
  shipments: Array<{
    shipmentId: string;
    batchId: string;
    from: string;
    to: string;
    receivedAt: string | null;
    eventIds: string[];
  }>;
  inspections: Array<{ batchId: string; result: string; inspector: string; findings: unknown }>;
  parties: Array<{ partyId: string; name: string | null; involvement: string[] }>;
}

let platform: TestPlatform;
const keys: Record<string, string> = {};

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

async function trace(batchId: string, query = 'direction=both'): Promise<Trace> {
  const response = await platform.request<Trace>('GET', `/v1/batches/${batchId}/trace?${query}`, {
    key: keys.samr,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const depths = (t: Trace) => Object.fromEntries(t.batches.map((b) => [b.batchId, b.depth]));

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const party of ['farm-a', 'farm-b', 'plant', 'brand', 'dist', 'shop-1', 'shop-2', 'lab'])
    keys[party] = await platform.createParty(party, ['submitter'], `name of ${party}`);
  keys.samr = await platform.createParty('samr', ['regulator'], '市场监管总局 SAMR');

  // farm-a, farm-b -> plant (diamond: RAW-A feeds POWDER-1 directly and through WHEY-1) -> brand -> dist -> shops
  await post('farm-a', [produced('RAW-A'), shipped('S-A', 'plant', ['RAW-A'])]);
  await post('farm-b', [produced('RAW-B'), shipped('S-B', 'plant', ['RAW-B'])]);
  await post('plant', [
    received('S-A', 'farm-a', ['RAW-A']),
    received('S-B', 'farm-b', ['RAW-B']),
    produced('WHEY-1', ['RAW-A']),
    produced('POWDER-1', ['RAW-A', 'RAW-B', 'WHEY-1']),
    shipped('S-P', 'brand', ['POWDER-1']),
  ]);
  await post('lab', [inspected('POWDER-1', 'FAIL', 'SUPERVISORY_SAMPLING')]);
  await post('brand', [
    received('S-P', 'plant', ['POWDER-1']),
    produced('FORMULA-1', ['POWDER-1']),
    shipped('S-F', 'dist', ['FORMULA-1']),
  ]);
  await post('dist', [
    received('S-F', 'brand', ['FORMULA-1']),
    shipped('S-D1', 'shop-1', ['FORMULA-1'], 10),
    shipped('S-D2', 'shop-2', ['FORMULA-1'], 10),
  ]);
  await post('shop-1', [received('S-D1', 'dist', ['FORMULA-1'], 10)]);
  // S-D2 stays in transit: shop-2 never records the receipt.
  await platform.waitForBatch(keys.samr, 'FORMULA-1');
});
afterAll(() => platform?.stop());

describe('trace of a mid-chain batch (来源可查、去向可追、责任可究)', () => {
  it('lists every source upstream with its producer, and every derived batch downstream', async () => {
    const t = await trace('POWDER-1');
    expect(depths(t)).toEqual({
      'RAW-A': -1,
      'RAW-B': -1,
      'WHEY-1': -1,
      'POWDER-1': 0,
      'FORMULA-1': 1,
    });
    expect(t.batches.find((b) => b.batchId === 'RAW-B')?.producer).toBe('farm-b');
    expect(t.derivations.map((d) => `${d.input}>${d.output}`).sort()).toEqual([
      'POWDER-1>FORMULA-1',
      'RAW-A>POWDER-1',
      'RAW-A>WHEY-1',
      'RAW-B>POWDER-1',
      'WHEY-1>POWDER-1',
    ]);
    expect(t.truncated).toBe(false);
  });

  it('lists a diamond source once, at its shortest distance', async () => {
    const t = await trace('FORMULA-1', 'direction=upstream');
    expect(t.batches.filter((b) => b.batchId === 'RAW-A')).toHaveLength(1);
    expect(depths(t)['RAW-A']).toBe(-2);
    expect(depths(t)['WHEY-1']).toBe(-2);
  });

  it('follows every holder downstream, with shipments received or still in transit', async () => {
    const t = await trace('RAW-A', 'direction=downstream');
    const byShipment = Object.fromEntries(t.shipments.map((s) => [s.shipmentId, s]));
    expect(Object.keys(byShipment).sort()).toEqual(['S-A', 'S-D1', 'S-D2', 'S-F', 'S-P']);
    expect(byShipment['S-D1']).toMatchObject({
      from: 'dist',
      to: 'shop-1',
      receivedAt: expect.any(String),
      receivedQuantity: 10,
    });
    expect(byShipment['S-D2']).toMatchObject({
      from: 'dist',
      to: 'shop-2',
      receivedAt: null,
      receivedQuantity: null,
    });
    expect(byShipment['S-D1']?.eventIds).toHaveLength(2);
    const holders = t.parties
      .filter((p) => p.involvement.includes('receiver'))
      .map((p) => p.partyId)
      .sort();
    expect(holders).toEqual(['brand', 'dist', 'plant', 'shop-1', 'shop-2']);
  });

  it('names the accountable party for every step, with inspections and flags', async () => {
    const t = await trace('FORMULA-1', 'direction=upstream');
    const involvement = Object.fromEntries(t.parties.map((p) => [p.partyId, p.involvement.sort()]));
    expect(involvement).toMatchObject({
      'farm-a': ['producer', 'shipper'],
      plant: expect.arrayContaining(['processor', 'receiver', 'shipper']),
      brand: expect.arrayContaining(['processor']),
      lab: ['inspector'],
    });
    expect(t.parties.find((p) => p.partyId === 'farm-a')?.name).toBe('name of farm-a');
    expect(t.inspections).toEqual([
      expect.objectContaining({ batchId: 'POWDER-1', result: 'FAIL', inspector: 'lab' }),
    ]);
    expect(t.batches.find((b) => b.batchId === 'POWDER-1')?.flags.failedInspection).toBe(true);
    expect(t.batches.find((b) => b.batchId === 'FORMULA-1')?.flags.failedInspection).toBe(false);
  });
});

describe('inspection findings', () => {
  it('keeps each value as the lab sent it: a number stays a number, text stays text', async () => {
    await post('farm-a', [produced('MEASURED-1')]);
    const findings = [
      { item: '蛋白质 protein', value: 2.5, limit: '≥ 2.3', unit: 'g/100g' },
      { item: '三聚氰胺 melamine', value: '未检出', limit: '≤ 2.5', unit: 'mg/kg' },
      { item: '铅 lead', value: '<0.01', limit: '≤ 0.05', unit: 'mg/kg' },
      { item: 'count', value: 0, limit: null, unit: null },
    ];
    await post('lab', [{ ...inspected('MEASURED-1', 'PASS'), findings }]);
    await platform.waitForBatch(keys.samr!, 'MEASURED-1');
    const inspections = await pollUntil(
      async () => {
        const found = (await trace('MEASURED-1')).inspections;
        return found.length > 0 ? found : undefined;
      },
      { what: 'the inspection in the trace', timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(inspections).toEqual([expect.objectContaining({ batchId: 'MEASURED-1', findings })]);
  });

  it('refuses a value that is neither a string nor a number, naming the field', async () => {
    const finding = { item: 'protein', value: true };
    const response = await platform.postEvents(keys.lab!, [
      { ...inspected('MEASURED-1', 'PASS'), findings: [finding] },
    ]);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      message: 'events[0].findings[0].value: must be a string or a number',
    });
  });
});

describe('graph edge cases', () => {
  it('never loops on a cycle (rework)', async () => {
    await post('plant', [
      produced('LOOP-1', ['LOOP-3']),
      produced('LOOP-2', ['LOOP-1']),
      produced('LOOP-3', ['LOOP-2']),
    ]);
    await platform.waitForBatch(keys.samr!, 'LOOP-3');
    const t = await trace('LOOP-1');
    expect(t.batches.map((b) => b.batchId).sort()).toEqual(['LOOP-1', 'LOOP-2', 'LOOP-3']);
    expect(t.derivations).toHaveLength(3);
  });

  it('cuts a wide fan-out at the node limit and says so', async () => {
    const outputs = Array.from({ length: 30 }, (_, i) =>
      produced(`FAN-OUT-${String(i).padStart(2, '0')}`, ['FAN-ROOT']),
    );
    await post('plant', [produced('FAN-ROOT'), ...outputs]);
    await platform.waitForBatch(keys.samr!, 'FAN-OUT-29');
    const cut = await trace('FAN-ROOT', 'direction=downstream&maxNodes=10');
    expect(cut.truncated).toBe(true);
    expect(cut.batches).toHaveLength(10);
    const whole = await trace('FAN-ROOT', 'direction=downstream');
    expect(whole.truncated).toBe(false);
    expect(whole.batches).toHaveLength(31);
  });

  it('cuts a long chain at maxDepth and says so, but not when the chain ends exactly there', async () => {
    await post('plant', [
      produced('CHAIN-0'),
      produced('CHAIN-1', ['CHAIN-0']),
      produced('CHAIN-2', ['CHAIN-1']),
      produced('CHAIN-3', ['CHAIN-2']),
    ]);
    await platform.waitForBatch(keys.samr!, 'CHAIN-3');
    expect((await trace('CHAIN-0', 'direction=downstream&maxDepth=2')).truncated).toBe(true);
    expect((await trace('CHAIN-0', 'direction=downstream&maxDepth=3')).truncated).toBe(false);
  });

  it('drops a retracted event from the trace but keeps it in the batch timeline', async () => {
    const wrongInput = produced('FIXED-1', ['RAW-B']);
    await post('plant', [produced('RAW-C'), wrongInput]);
    await platform.waitForBatch(keys.samr!, 'FIXED-1');
    expect(depths(await trace('RAW-B', 'direction=downstream'))['FIXED-1']).toBe(1);

    const wrongShipment = shipped('S-WRONG', 'shop-2', ['RAW-C']);
    await post('plant', [
      wrongShipment,
      retracted(wrongInput.eventId),
      produced('FIXED-1B', ['RAW-C']),
      retracted(wrongShipment.eventId),
    ]);
    await platform.waitForBatch(keys.samr!, 'FIXED-1B');
    expect(depths(await trace('RAW-B', 'direction=downstream'))['FIXED-1']).toBeUndefined();
    expect((await trace('RAW-C', 'direction=downstream')).shipments).toEqual([]);
    const timeline = await platform.request<{
      timeline: Array<{ eventId: string; retracted: boolean }>;
    }>('GET', '/v1/batches/RAW-C', { key: keys.samr });
    expect(timeline.body.timeline.find((e) => e.eventId === wrongShipment.eventId)?.retracted).toBe(
      true,
    );
  });

  it('lets only the recording party retract its event', async () => {
    const event = produced('MINE-1');
    await post('farm-a', [event]);
    const response = await platform.postEvents(keys['farm-b']!, [retracted(event.eventId)]);
    expect(response.status).toBe(403);
  });

  it('answers 404 for an unknown batch and 400 naming a bad parameter', async () => {
    expect(
      (await platform.request('GET', '/v1/batches/NOPE/trace', { key: keys.samr })).status,
    ).toBe(404);
    const bad = await platform.request<{ message: string }>(
      'GET',
      '/v1/batches/RAW-A/trace?maxDepth=0',
      { key: keys.samr },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^maxDepth: /);
    const direction = await platform.request<{ message: string }>(
      'GET',
      '/v1/batches/RAW-A/trace?direction=sideways',
      { key: keys.samr },
    );
    expect(direction.body.message).toMatch(/^direction: /);
  });
});

describe('a trace read again', () => {
  it('shows every write since', async () => {
    await post('farm-a', [produced('RAW-AGAIN')]);
    await platform.waitForBatch(keys.samr!, 'RAW-AGAIN');
    // Read twice first: in the embedded platform the second answer is the one kept.
    expect((await trace('RAW-AGAIN')).shipments).toEqual([]);
    expect((await trace('RAW-AGAIN')).shipments).toEqual([]);
    await post('farm-a', [shipped('S-AGAIN', 'dist', ['RAW-AGAIN'])]);
    const answer = await pollUntil(
      async () => {
        const again = await trace('RAW-AGAIN');
        return again.shipments.length > 0 ? again : undefined;
      },
      { what: 'the trace to show the new shipment', timeoutMs: 30_000, intervalMs: 25 },
    );
    expect(answer.shipments.map((line) => [line.shipmentId, line.to])).toEqual([
      ['S-AGAIN', 'dist'],
    ]);
  });
});
