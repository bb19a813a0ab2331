/**
 * A kept trace is never stale: random histories (diamonds, cycles, competing claims, retractions,
 * recalls, EPCIS links) are written to a real LMDB serving index in random batches, some events
 * then taken out again as the projector takes out what the store refused, and parties registered
 * between batches; after every write, each regulator trace answered through the cache (kept from
 * the earlier writes where nothing named its batches) is byte for byte the trace built afresh.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createLogger } from '../../../services/common/logger.js';
import { projectEvents } from '../../../services/common/projection/projection.js';
import {
  openLmdbServingIndex,
  type LmdbServingIndex,
} from '../../../services/common/serving/lmdb-serving-index.js';
import { createLmdbTraceReads } from '../../../services/common/serving/lmdb-trace-reads.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { regulatorTrace } from '../../../services/trace-api/routes.js';
import { createTraceCache } from '../../../services/trace-api/trace-cache.js';
import { ALL_BATCH_IDS, historyArbitrary } from '../../support/graph-arbitraries.js';

let dir: string;
let store: Store;
let serving: LmdbServingIndex;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-trace-cache-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, createLogger({ level: 'silent', pretty: false }));
  serving = openLmdbServingIndex({ path: join(dir, 'serving') });
});

afterAll(async () => {
  await serving.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const PARTIES = ['farm', 'plant', 'brand', 'shop', 'lab'];
const DIRECTIONS = ['upstream', 'downstream', 'both'] as const;

/** The answer, or the error, so that both sides compare either way. */
const outcome = (answer: Promise<string>) =>
  answer.then(
    (value) => ({ value }),
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

describe('the trace cache', () => {
  it('answers every regulator trace as it is built afresh, after every write', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.record({ at: fc.nat(), party: fc.nat() }), { maxLength: 2 }),
        async (history, cuts, removals, registrations) => {
          for (const table of ['parties', 'api_keys'])
            await store.command(`TRUNCATE TABLE ${table}`);
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
                await serving.apply(projectEvents(step.events), position);
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
      { numRuns: 30 },
    );
  }, 600_000);
});
