/**
 * GET /v1/gaps on the real embedded platform: each kind of broken link and unbalanced quantity
 * found on a chain built to have one of each, with the answers computed by hand; the demo chain
 * beside it has only its one deliberate gap (the shipment still in transit); a party sees the
 * gaps it is involved in, and a bad kind is refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapList, GapView } from '../../services/common/api/gaps.js';
import { loadDairyChain } from '../support/demo-chain.js';
import { produced, received, retracted, shipped } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let api: TestPlatform;
const keys = new Map<string, string>();
const key = (party: string) => keys.get(party) ?? '';
const demoParties = new Set<string>();
/** Event ids of the hand-built chain, by a name each test uses. */
const ids = new Map<string, string>();

const line = (batchId: string, quantity: number, unit = 'kg') => ({ batchId, quantity, unit });
const input = (batchId: string, quantity: number, unit = 'kg') => ({ batchId, quantity, unit });

async function post(party: string, events: Array<{ eventId: string }>, names: string[] = []) {
  const response = await api.postEvents(key(party), events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  names.forEach((name, i) => ids.set(name, events[i]?.eventId ?? ''));
}

/**
 * farm-g makes RAW-G 100 kg and ships 40 kg twice to plant-g: S-OLD (a month ago, never
 * received) and S-OK (received). plant-g also records S-GHOST, a receipt of 10 kg no shipment
 * names. It makes POWDER-G 15 kg from RAW-G 10 kg and PHANTOM-G 10 kg (never produced), BIG-G
 * 50 kg from RAW-G 20 kg (a yield of 2.5), CANS-G 1000 cans from RAW-G 5 kg (kilograms into cans:
 * no yield compares them), and ships POWDER-G 10 kg twice to shop-g (20 kg of 15), which receives
 * both and ships 2 bags of it to farm-g (it had none in bags). S-NEW, shipped an hour ago, is not
 * yet overdue; S-RETRACTED's receipt was retracted, so it is unreceived again.
 */
async function buildGappyChain(): Promise<void> {
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await post(
    'farm-g',
    [
      produced('RAW-G', [], { quantity: 100 }),
      { ...shipped('S-OLD', 'plant-g', ['RAW-G'], 40) },
      { ...shipped('S-OK', 'plant-g', ['RAW-G'], 40) },
      { ...shipped('S-RETRACTED', 'plant-g', ['RAW-G'], 5) },
      { ...shipped('S-NEW', 'plant-g', ['RAW-G'], 5), eventTime: hourAgo },
    ],
    ['RAW-G', 'S-OLD', 'S-OK', 'S-RETRACTED', 'S-NEW'],
  );
  const retractedReceipt = received('S-RETRACTED', 'farm-g', ['RAW-G'], 5);
  await post(
    'plant-g',
    [
      received('S-OK', 'farm-g', ['RAW-G'], 40),
      received('S-GHOST', 'farm-g', ['RAW-G'], 10),
      retractedReceipt,
      retracted(retractedReceipt.eventId),
      produced('POWDER-G', [], {
        quantity: 15,
        inputs: [input('RAW-G', 10), input('PHANTOM-G', 10)],
      }),
      produced('BIG-G', [], { quantity: 50, inputs: [input('RAW-G', 20)] }),
      produced('CANS-G', [], { quantity: 1000, unit: 'can', inputs: [input('RAW-G', 5)] }),
      shipped('S-P1', 'shop-g', ['POWDER-G'], 10),
      shipped('S-P2', 'shop-g', ['POWDER-G'], 10),
    ],
    [
      'S-OK-R',
      'S-GHOST',
      'S-RETRACTED-R',
      'RETRACTION',
      'POWDER-G',
      'BIG-G',
      'CANS-G',
      'S-P1',
      'S-P2',
    ],
  );
  const bags = { ...shipped('S-P3', 'farm-g', []), lines: [line('POWDER-G', 2, 'bag')] };
  await post(
    'shop-g',
    [
      received('S-P1', 'plant-g', ['POWDER-G'], 10),
      received('S-P2', 'plant-g', ['POWDER-G'], 10),
      bags,
    ],
    ['S-P1-R', 'S-P2-R', 'S-P3'],
  );
  const bagsReceived = { ...received('S-P3', 'shop-g', []), lines: [line('POWDER-G', 2, 'bag')] };
  await post('farm-g', [bagsReceived], ['S-P3-R']);
  await api.waitForBatch(key('samr-g'), 'CANS-G');
}

beforeAll(async () => {
  api = await startTestPlatform();
  const demo = await loadDairyChain(api);
  for (const party of demo.chain.parties) demoParties.add(party.partyId);
  for (const [party, roles] of [
    ['farm-g', ['submitter']],
    ['plant-g', ['submitter']],
    ['shop-g', ['submitter']],
    ['stranger-g', ['submitter']],
    ['samr-g', ['regulator']],
  ] as const) {
    keys.set(party, await api.createParty(party, [...roles]));
  }
  await buildGappyChain();
}, 120_000);
afterAll(() => api?.stop());

async function gaps(party: string, query = ''): Promise<GapList> {
  const response = await api.request<GapList>('GET', `/v1/gaps${query}`, { key: key(party) });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const ours = (list: GapList): GapView[] =>
  list.gaps.filter((gap) => !gap.parties.every((party) => demoParties.has(party)));

const summary = (gap: GapView) => ({
  kind: gap.kind,
  batchIds: gap.batchIds,
  shipmentId: gap.shipmentId,
  parties: gap.parties,
  quantities: gap.quantities,
});

describe('GET /v1/gaps', () => {
  it('finds each kind of gap on the hand-built chain, naming the events behind it', async () => {
    const found = ours(await gaps('samr-g'));
    expect(found.map(summary)).toEqual(
      expect.arrayContaining([
        {
          kind: 'unreceived-shipment',
          batchIds: ['RAW-G'],
          shipmentId: 'S-OLD',
          parties: ['farm-g', 'plant-g'],
          quantities: null,
        },
        {
          kind: 'unreceived-shipment',
          batchIds: ['RAW-G'],
          shipmentId: 'S-RETRACTED',
          parties: ['farm-g', 'plant-g'],
          quantities: null,
        },
        {
          kind: 'unmatched-receipt',
          batchIds: ['RAW-G'],
          shipmentId: 'S-GHOST',
          parties: ['farm-g', 'plant-g'],
          quantities: null,
        },
        {
          kind: 'unproduced-input',
          batchIds: ['PHANTOM-G', 'POWDER-G'],
          shipmentId: null,
          parties: ['plant-g'],
          quantities: null,
        },
        // plant-g used 10 kg of a batch it never had.
        {
          kind: 'over-shipped',
          batchIds: ['PHANTOM-G'],
          shipmentId: null,
          parties: ['plant-g'],
          quantities: { unit: 'kg', in: 0, out: 10 },
        },
        {
          kind: 'over-shipped',
          batchIds: ['POWDER-G'],
          shipmentId: null,
          parties: ['plant-g'],
          quantities: { unit: 'kg', in: 15, out: 20 },
        },
        // 20 kg received do not cover 2 bags: units are never added.
        {
          kind: 'over-shipped',
          batchIds: ['POWDER-G'],
          shipmentId: null,
          parties: ['shop-g'],
          quantities: { unit: 'bag', in: 0, out: 2 },
        },
        {
          kind: 'over-yield',
          batchIds: ['BIG-G', 'RAW-G'],
          shipmentId: null,
          parties: ['plant-g'],
          quantities: { unit: 'kg', in: 20, out: 50 },
        },
      ]),
    );
    // Nothing else: S-NEW is not overdue yet, farm-g's RAW-G balances (80 + 5 + 5 of 100 kg),
    // plant-g's RAW-G too (35 used of 50 received), CANS-G is not judged.
    expect(found).toHaveLength(8);
    const byShipment = (id: string) => found.find((gap) => gap.shipmentId === id);
    expect(byShipment('S-OLD')?.eventIds).toEqual([ids.get('S-OLD')]);
    expect(byShipment('S-GHOST')?.eventIds).toEqual([ids.get('S-GHOST')]);
    const yieldGap = found.find((gap) => gap.kind === 'over-yield');
    expect(yieldGap?.transformationEventId).toBe(ids.get('BIG-G'));
    expect(yieldGap?.eventIds).toEqual([ids.get('BIG-G')]);
    const overShipped = found.find(
      (gap) =>
        gap.kind === 'over-shipped' &&
        gap.parties[0] === 'plant-g' &&
        gap.batchIds[0] === 'POWDER-G',
    );
    expect(overShipped?.eventIds).toEqual(
      [ids.get('POWDER-G'), ids.get('S-P1'), ids.get('S-P2')].sort(),
    );
  });

  it('has only its one deliberate gap on the demo chain: the shipment still in transit', async () => {
    const list = await gaps('samr-g');
    const demo = list.gaps.filter((gap) => gap.parties.every((party) => demoParties.has(party)));
    expect(demo.map(summary)).toEqual([
      {
        kind: 'unreceived-shipment',
        batchIds: ['AX1-20261103', 'QH1-20261104'],
        shipmentId: 'SH-HD-20261116-03',
        parties: ['dist-huadong', 'retail-nj-gulou'],
        quantities: null,
      },
    ]);
    expect(list.counts).toEqual({
      'unreceived-shipment': 3,
      'unmatched-receipt': 1,
      'unproduced-input': 1,
      'over-shipped': 3,
      'over-yield': 1,
    });
  });

  it('lists one kind when asked, newest first', async () => {
    const list = await gaps('samr-g', '?kind=unreceived-shipment');
    expect(list.gaps.map((gap) => gap.shipmentId)).toEqual([
      'SH-HD-20261116-03',
      'S-RETRACTED',
      'S-OLD',
    ]);
    expect(list.counts['unreceived-shipment']).toBe(3);
    expect(list.counts['over-yield']).toBe(0);
    const first = await gaps('samr-g', '?kind=unreceived-shipment&limit=1');
    expect(first.gaps).toHaveLength(1);
    expect(first.counts['unreceived-shipment']).toBe(3);
  });

  it('shows a party the gaps it is involved in, and no other', async () => {
    const shop = await gaps('shop-g');
    expect(shop.gaps.map((gap) => [gap.kind, gap.parties])).toEqual([['over-shipped', ['shop-g']]]);
    expect((await gaps('stranger-g')).gaps).toEqual([]);
    const farm = await gaps('farm-g');
    expect(new Set(farm.gaps.map((gap) => gap.shipmentId))).toEqual(
      new Set(['S-OLD', 'S-RETRACTED', 'S-GHOST']),
    );
  });

  it('refuses an unknown kind or limit naming the field', async () => {
    const response = await api.request<{ message: string }>('GET', '/v1/gaps?kind=lost', {
      key: key('samr-g'),
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/kind/);
    const limit = await api.request<{ message: string }>('GET', '/v1/gaps?limit=0', {
      key: key('samr-g'),
    });
    expect(limit.status).toBe(400);
    expect(limit.body.message).toMatch(/limit/);
  });
});
