/**
 * The benchmarks' generated supply chain (test/bench/generator) posted to the real embedded
 * platform as clients would: GET /v1/gaps finds in it only its deliberate gaps — the shipments to
 * retailers it leaves in transit (about one in 50) — and no other broken link or unbalanced
 * quantity.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GapList } from '../../services/common/api/gaps.js';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import { createSupplyChain } from '../bench/generator/supply-chain.js';
import { postEventsOverHttp, registerPartiesOverHttp } from '../bench/generator/write-chain.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let api: TestPlatform;
let regulatorKey = '';
let events: SuyuanEvent[] = [];

beforeAll(async () => {
  api = await startTestPlatform();
  const chain = createSupplyChain({ batches: 1_000, seed: 7 });
  const keys = await registerPartiesOverHttp(api.url, chain.parties);
  await postEventsOverHttp(api.url, keys, chain.events());
  regulatorKey = keys.get(chain.regulatorId) ?? '';
  events = [...chain.events()];
  const last = events.findLast((event) => event.eventType === 'BatchProduced');
  await api.waitForBatch(regulatorKey, last?.eventType === 'BatchProduced' ? last.batchId : '');
}, 180_000);
afterAll(() => api?.stop());

/** The shipments the generator left without a receipt, from its own event stream. */
function shipmentsInTransit(): string[] {
  const received = new Set(
    events.flatMap((event) => (event.eventType === 'BatchReceived' ? [event.shipmentId] : [])),
  );
  return events
    .flatMap((event) => (event.eventType === 'BatchShipped' ? [event.shipmentId] : []))
    .filter((shipmentId) => !received.has(shipmentId));
}

it('has no gap but the shipments left in transit', async () => {
  const response = await api.request<GapList>('GET', '/v1/gaps?limit=1000', {
    key: regulatorKey,
  });
  expect(response.status).toBe(200);
  const inTransit = shipmentsInTransit();
  expect(inTransit.length).toBeGreaterThan(0);
  expect(response.body.counts).toEqual({
    'unreceived-shipment': inTransit.length,
    'unmatched-receipt': 0,
    'unproduced-input': 0,
    'over-shipped': 0,
    'over-yield': 0,
  });
  expect(response.body.gaps.map((gap) => gap.shipmentId).sort()).toEqual(inTransit.sort());
});
