import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { batchesNamedBy } from '../../../services/common/events/keys.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { createSupplyChain, toSubmission } from './supply-chain.js';

const chainOf = (batches: number, seed = 7) => createSupplyChain({ batches, seed });
const all = (batches: number, seed = 7) => [...chainOf(batches, seed).events()];

/** Batches reachable from `root` over derivation edges (inputs → outputs or back). */
function reach(events: readonly SuyuanEvent[], root: string, direction: 'up' | 'down'): number {
  const next = new Map<string, string[]>();
  for (const event of events) {
    if (event.eventType !== 'BatchProduced') continue;
    for (const input of event.inputs) {
      const [from, to] =
        direction === 'down' ? [input.batchId, event.batchId] : [event.batchId, input.batchId];
      next.set(from, [...(next.get(from) ?? []), to]);
    }
  }
  const seen = new Set([root]);
  for (let frontier = [root]; frontier.length > 0;) {
    frontier = frontier.flatMap((id) => next.get(id) ?? []).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  return seen.size;
}

describe('the synthetic supply-chain generator', () => {
  it('yields the same events for the same seed, and other events for another seed', () => {
    const first = all(300);
    expect(all(300)).toEqual(first);
    const other = all(300, 8);
    expect(other.map((event) => event.eventId)).not.toEqual(first.map((event) => event.eventId));
  });

  it('keeps causal order: inputs are produced before their outputs, shipments before receipts', () => {
    const produced = new Set<string>();
    const shipped = new Set<string>();
    for (const event of all(2000)) {
      if (event.eventType === 'BatchProduced') {
        for (const input of event.inputs) expect(produced, input.batchId).toContain(input.batchId);
        produced.add(event.batchId);
      } else if (event.eventType === 'BatchShipped') {
        shipped.add(event.shipmentId);
      } else if (event.eventType === 'BatchReceived') {
        expect(shipped).toContain(event.shipmentId);
      }
      // Every batch an event names was produced earlier in the stream.
      for (const batchId of batchesNamedBy(event)) expect(produced).toContain(batchId);
    }
  });

  it('writes only events the platform accepts, and that the Avro codec round-trips', () => {
    const codec = createEventCodec();
    const events = all(1000);
    const parties = new Set(chainOf(1000).parties.map((party) => party.partyId));
    for (const event of events) {
      const [parsed] = parseSubmission({ events: [toSubmission(event)] }, event.party);
      expect(parsed).toMatchObject({ eventId: event.eventId, eventType: event.eventType });
      expect(codec.decode(codec.encode(event))).toEqual(event);
      expect(parties).toContain(event.party);
    }
    // Multi-input transformations, and inspections that mostly pass but not always.
    const inputs = events.flatMap((e) =>
      e.eventType === 'BatchProduced' ? [e.inputs.length] : [],
    );
    expect(Math.max(...inputs)).toBeGreaterThanOrEqual(5);
    const results = events.flatMap((e) => (e.eventType === 'InspectionRecorded' ? [e.result] : []));
    expect(results.filter((result) => result === 'PASS').length).toBeGreaterThan(
      results.length * 0.9,
    );
  });

  it('produces about the promised batches and about five events per batch', () => {
    const chain = chainOf(5000);
    const events = [...chain.events()];
    const batches = events.filter((event) => event.eventType === 'BatchProduced').length;
    expect(batches).toBe(chain.batchCount);
    expect(batches).toBeGreaterThan(4900);
    expect(batches).toBeLessThan(5100);
    expect(events.length / batches).toBeGreaterThan(4.5);
    expect(events.length / batches).toBeLessThan(5.5);
    expect(Math.abs(events.length - chain.estimatedEvents)).toBeLessThan(
      chain.estimatedEvents * 0.05,
    );
  });

  it('picks batches at the source, in the middle, at the edge, and a ~1 000-node trace', () => {
    const chain = chainOf(10_000);
    const events = [...chain.events()];
    const picks = chain.picks(2);
    for (const source of picks.source) expect(reach(events, source, 'up')).toBe(1);
    for (const middle of picks.middle) {
      expect(reach(events, middle, 'up')).toBeGreaterThan(5);
      expect(reach(events, middle, 'down')).toBeGreaterThan(10);
    }
    for (const edge of picks.edge) expect(reach(events, edge, 'down')).toBe(1);
    for (const big of picks.thousandNodes) {
      expect(reach(events, big, 'down')).toBeGreaterThan(800);
      expect(reach(events, big, 'down')).toBeLessThan(1300);
    }
  });
});
