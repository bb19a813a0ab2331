/**
 * A kept trace is never stale: random histories (diamonds, cycles, competing claims, retractions,
 * recalls, EPCIS links) are written to a real LMDB serving index in random batches, some events
 * then taken out again as the projector takes out what the store refused, and parties registered
 * between batches, while traces are being computed through the cache; after every write, each
 * regulator trace answered through the cache (kept from the earlier writes where nothing named its
 * batches) is byte for byte the trace built afresh.
 */
import fc from 'fast-check';
import { openStoreAndIndex, type StoreAndIndex } from '../../support/store-and-index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { projectEvents } from '../../../services/common/projection/projection.js';
import type { LmdbServingIndex } from '../../../services/common/serving/lmdb-serving-index.js';
import { changeOf } from '../../../services/common/serving/serving-changes.js';
import { putsOf } from '../../../services/common/serving/serving-rows.js';
import { createLmdbTraceReads } from '../../../services/common/serving/lmdb-trace-reads.js';
import type { TraceReads } from '../../../services/common/trace/trace-reads.js';
import type { Store } from '../../../services/common/store/store.js';
import { regulatorTrace } from '../../../services/trace-api/routes.js';
import { createTraceCache } from '../../../services/trace-api/trace-cache.js';
import { ALL_BATCH_IDS, historyArbitrary } from '../../support/graph-arbitraries.js';

let opened: StoreAndIndex | undefined;
let store: Store;
let serving: LmdbServingIndex;

beforeAll(async () => {
  opened = await openStoreAndIndex('suyuan-trace-cache-');
  ({ store, serving } = opened);
});

afterAll(() => opened?.close());

const PARTIES = ['farm', 'plant', 'brand', 'shop', 'lab'];
const DIRECTIONS = ['upstream', 'downstream', 'both'] as const;

/** The answer, or the error, so that both sides compare either way. */
const outcome = (answer: Promise<Buffer>) =>
  answer.then(
    (value) => ({ value: value.toString() }),
    (error: unknown) => ({ error: String(error) }),
  );

/** One write of the history: a batch of events applied, or an event taken out, or a party. */
type Step =
  | { kind: 'apply'; events: SuyuanEvent[]; nextOffset: number }
  | { kind: 'remove'; event: SuyuanEvent }
  | { kind: 'register'; partyId: string };

function stepsOf(
  history: readonly SuyuanEvent[],
  cuts: readonly number[],
  removals: readonly number[],
  registrations: ReadonlyArray<{ at: number; party: number }>,
): Step[] {
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % history.length), history.length])];
  bounds.sort((a, b) => a - b);
  const steps: Step[] = [];
  for (let i = 1; i < bounds.length; i += 1) {
    const nextOffset = bounds[i] ?? 0;
    steps.push({ kind: 'apply', events: history.slice(bounds[i - 1], nextOffset), nextOffset });
    for (const pick of removals) {
      const event = history[pick % history.length];
      if (event && pick % history.length < nextOffset && pick % bounds.length === i)
        steps.push({ kind: 'remove', event });
    }
    for (const { at, party } of registrations) {
      if (at % bounds.length === i) steps.push({ kind: 'register', partyId: PARTIES[party % 5]! });
    }
  }
  return steps;
}

/**
 * Found by this property: taking out the counting production of B7 makes another production of it
 * count, one with input B0, so B0's downstream trace must now list B7, though nothing taken out
 * named B0. The index names the inputs of every production of a batch whose productions change.
 */
const production = (index: number, batchId: string, inputs: string[]) =>
  ({
    eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    eventType: 'BatchProduced',
    eventTime: '2026-11-01T00:00:00.000Z',
    recordedAt: `2026-11-01T00:0${index}:00.000Z`,
    party: 'farm',
    location: null,
    operator: null,
    batchId,
    product: { id: `P-${batchId}`, name: `product ${batchId}` },
    quantity: 100,
    unit: 'kg',
    inputs: inputs.map((input) => ({ batchId: input, quantity: 1, unit: 'kg' })),
  }) as SuyuanEvent;
const WINNER_TAKEN_OUT = {
  history: [production(0, 'B7', []), production(1, 'B7', ['B0']), production(2, 'B0', [])],
  // Taken out after the one batch of writes: the first event (3 % 3), at step 1 (3 % 2).
  removals: [3],
  root: 'B0',
};

/** Events whose rows name only batches: their writes drop some kept answers, not all. */
const namesOnlyBatches = (event: SuyuanEvent) =>
  changeOf(putsOf(projectEvents([event])), () => []) !== 'all';

/** Traces that reached the gate: they read everything before a write and finish after it. */
let tracesAtTheGate = 0;

/**
 * Every write of the history, each followed by every regulator trace through the cache and
 * afresh; the same arbitrary histories, or only those of events that name only batches (most
 * writes reach every answer otherwise, and a kept answer's own batches are then never what drops
 * it).
 */
async function expectNothingStale(
  histories: fc.Arbitrary<SuyuanEvent[]>,
  examples: Array<
    [SuyuanEvent[], number[], number[], Array<{ at: number; party: number }>, string]
  > = [],
) {
  await fc.assert(
    fc.asyncProperty(
      histories,
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 2 }),
      fc.array(fc.record({ at: fc.nat(), party: fc.nat() }), { maxLength: 2 }),
      fc.constantFrom(...ALL_BATCH_IDS),
      async (history, cuts, removals, registrations, racingRoot) => {
        for (const table of ['parties', 'api_keys']) await store.command(`TRUNCATE TABLE ${table}`);
        await serving.clear();
        const reads = createLmdbTraceReads(serving);
        const parties = createPartyDirectory(store);
        const cache = createTraceCache({ maxBytes: 1_000_000 });
        const stopWatching = serving.watch((change) => cache.invalidate(change));
        parties.watchRegistered(() => cache.invalidate('all'));
        try {
          for (const step of stepsOf(history, cuts, removals, registrations)) {
            if (step.kind === 'apply') {
              const position = { topic: 'events', partition: 0, nextOffset: step.nextOffset };
              // Traces that read everything before the write and finish after it: the
              // cache must not keep what they built. The answers kept for their root after
              // the step before are dropped first, or they would be answered from those.
              cache.invalidate(new Set([racingRoot]));
              let open = () => {};
              const gate = new Promise<void>((resolve) => (open = resolve));
              const racing = DIRECTIONS.map((direction) => {
                let arrived = () => {};
                const atGate = new Promise<void>((resolve) => (arrived = resolve));
                // The trace reads through the reads of its walk: those are gated too.
                const gatedOf = (walkReads: TraceReads): TraceReads => ({
                  ...walkReads,
                  unresolvedLinks: async (ids) => {
                    const links = await walkReads.unresolvedLinks(ids);
                    arrived();
                    tracesAtTheGate += 1;
                    await gate;
                    return links;
                  },
                  forOneWalk: () => gatedOf(walkReads.forOneWalk?.() ?? walkReads),
                });
                const gated = gatedOf(reads);
                const request = { direction, maxDepth: 64, maxNodes: 5000 };
                const answer = outcome(
                  regulatorTrace({ reads: gated, parties, cache }, racingRoot, request),
                );
                return { answer, readAll: Promise.race([atGate, answer]) };
              });
              await Promise.all(racing.map((trace) => trace.readAll));
              await serving.apply(projectEvents(step.events), position);
              open();
              await Promise.all(racing.map((trace) => trace.answer));
            } else if (step.kind === 'remove') {
              await serving.remove(projectEvents([step.event]));
            } else if ((await parties.find([step.partyId])).size === 0) {
              await parties.create({
                partyId: step.partyId,
                name: `${step.partyId} Ltd`,
                roles: [],
              });
            }
            for (const root of ALL_BATCH_IDS) {
              for (const direction of DIRECTIONS) {
                const request = { direction, maxDepth: 64, maxNodes: 5000 };
                const cached = await outcome(
                  regulatorTrace({ reads, parties, cache }, root, request),
                );
                const fresh = await outcome(regulatorTrace({ reads, parties }, root, request));
                expect(cached).toEqual(fresh);
              }
            }
          }
        } finally {
          stopWatching();
        }
      },
    ),
    // A run that hangs fails with its counterexample instead of holding the suite.
    { numRuns: 30, timeout: 30_000, examples },
  );
  // The race was run: traces did read everything and wait at the gate for the write.
  expect(tracesAtTheGate).toBeGreaterThan(0);
}

describe('the trace cache', () => {
  it('answers every regulator trace as it is built afresh, after every write', async () => {
    const { history, removals, root } = WINNER_TAKEN_OUT;
    await expectNothingStale(historyArbitrary, [[history, [], removals, [], root]]);
  }, 600_000);

  it('does so where writes name only batches, so that kept answers survive the others', async () => {
    await expectNothingStale(
      historyArbitrary
        .map((history) => history.filter(namesOnlyBatches))
        .filter((history) => history.length > 0),
    );
  }, 600_000);
});
