/**
 * The serving index answers exactly as the ClickHouse projection does (docs/adr/0001): random
 * histories — diamonds, cycles, competing claims to a batch id, in-transit shipments, receipts with
 * no shipment, retractions of anything, recalls — are projected into real chDB and into the LMDB
 * serving index in the same batches, and every trace read is compared for random ids.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import { createLogger } from '../../services/common/logger.js';
import {
  openLmdbServingIndex,
  type LmdbServingIndex,
} from '../../services/common/serving/lmdb-serving-index.js';
import { createLmdbTraceReads } from '../../services/common/serving/lmdb-trace-reads.js';
import { createChdbStore } from '../../services/common/store/chdb-store.js';
import { migrate } from '../../services/common/store/migrations.js';
import type { Store } from '../../services/common/store/store.js';
import {
  projectEvents,
  type ProjectionTable,
} from '../../services/common/projection/projection.js';
import {
  batchIsKnown,
  findBatches,
  findDerivations,
  findInspections,
  findReceipts,
  findRecalledBatchIds,
  findShipments,
  findTimeline,
} from '../../services/trace-api/trace-queries.js';
import { ALL_BATCH_IDS, historyArbitrary, someBatchIds } from '../support/graph-arbitraries.js';

let dir: string;
let store: Store;
let serving: LmdbServingIndex;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-serving-eq-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, createLogger({ level: 'silent', pretty: false }));
  serving = openLmdbServingIndex({ path: join(dir, 'serving') });
});

afterAll(async () => {
  await serving.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const TABLES: readonly ProjectionTable[] = Object.keys(projectEvents([])) as ProjectionTable[];

async function reset() {
  for (const table of [...TABLES, 'derivations_by_output']) {
    await store.command(`TRUNCATE TABLE ${table}`);
  }
  await serving.clear();
}

/** Projects the history into both, in the same batches (cut at `cuts`), as the projector does. */
async function project(history: readonly SuyuanEvent[], cuts: readonly number[]) {
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % history.length), history.length])];
  bounds.sort((a, b) => a - b);
  for (let i = 1; i < bounds.length; i += 1) {
    const batch = history.slice(bounds[i - 1], bounds[i]);
    const rows = projectEvents(batch);
    await serving.apply(rows, { topic: 'events', partition: 0, nextOffset: bounds[i] ?? 0 });
    for (const [table, tableRows] of Object.entries(rows)) await store.insert(table, tableRows);
  }
}

/** Takes out events the store refused after they were applied, as the projector does. */
async function removeRefused(history: readonly SuyuanEvent[], picks: readonly number[]) {
  const refused = [...new Set(picks.map((pick) => history[pick % history.length]))].flatMap(
    (event) => (event ? [event] : []),
  );
  for (const event of refused) {
    await serving.remove(projectEvents([event]));
    for (const table of [...TABLES, 'derivations_by_output']) {
      await store.command(`DELETE FROM ${table} WHERE event_id = {id:String}`, {
        id: event.eventId,
      });
    }
  }
}

describe('the serving index answers as the ClickHouse projection', () => {
  it('for every read, on random histories and random ids', async () => {
    const reads = createLmdbTraceReads(serving);
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary,
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(someBatchIds, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        async (history, cuts, idSets, refusedPicks) => {
          await reset();
          await project(history, cuts);
          await removeRefused(history, refusedPicks);
          for (const ids of idSets) {
            for (const direction of ['upstream', 'downstream'] as const) {
              expect(reads.derivations(direction, ids)).toEqual(
                await findDerivations(store, direction, ids),
              );
            }
            expect(reads.batches(ids)).toEqual(await findBatches(store, ids));
            expect(reads.shipments(ids)).toEqual(await findShipments(store, ids));
            expect(reads.receipts(ids)).toEqual(await findReceipts(store, ids));
            expect(reads.inspections(ids)).toEqual(await findInspections(store, ids));
            expect(reads.recalledBatchIds(ids)).toEqual(await findRecalledBatchIds(store, ids));
          }
          for (const id of ALL_BATCH_IDS) {
            expect(reads.batchIsKnown(id)).toBe(await batchIsKnown(store, id));
            expect(reads.timeline(id)).toEqual(await findTimeline(store, id));
          }
        },
      ),
      { numRuns: 40 },
    );
    // Each run writes some twenty store statements and reads about a hundred: minutes on a
    // loaded machine.
  }, 600_000);
});
