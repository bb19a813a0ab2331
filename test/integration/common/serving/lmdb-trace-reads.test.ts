/**
 * The serving index answers exactly as the ClickHouse projection does (docs/adr/0001): random
 * histories — diamonds, cycles, competing claims to a batch id, in-transit shipments, receipts with
 * no shipment, retractions of anything, recalls — are projected into real chDB and into the LMDB
 * serving index in the same batches; every read of the trace read model (the TraceReads port)
 * is compared for random ids, and so are whole traces and batch views as the trace API builds them,
 * and the recall reads ingest's write rules take (the RecallReads port), and the unresolved links of
 * captured EPCIS events (some declared in error) for random sets of events. A distributed ingest
 * instance's replica (an index of the tables its rules read) answers those rules as the whole
 * index does, and holds the store's event index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { openStoreAndIndex, type StoreAndIndex } from '../../../support/store-and-index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../../../services/common/events/event-types.generated.js';
import {
  openLmdbServingIndex,
  type LmdbServingIndex,
} from '../../../../services/common/serving/lmdb-serving-index.js';
import { REPLICA_TABLES } from '../../../../services/ingest/ingest-replica.js';
import { createLmdbRecallReads } from '../../../../services/common/serving/lmdb-recall-reads.js';
import { createLmdbTraceReads } from '../../../../services/common/serving/lmdb-trace-reads.js';
import type { Store } from '../../../../services/common/store/store.js';
import {
  projectEvents,
  type ProjectionTable,
} from '../../../../services/common/projection/projection.js';
import {
  KEYED_ACROSS_EVENTS,
  WRITE_ORDER,
} from '../../../../services/common/projection/write-order.js';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import type { RecallReads } from '../../../../services/common/trace/recall-reads.js';
import { createStoreRecallReads } from '../../../../services/common/trace/store-recall-reads.js';
import { createStoreTraceReads } from '../../../../services/common/trace/store-trace-reads.js';
import type { TraceReads } from '../../../../services/common/trace/trace-reads.js';
import { loadBatch, loadTrace } from '../../../../services/trace-api/routes.js';
import {
  ALL_BATCH_IDS,
  ALL_RECALL_IDS,
  historyArbitrary,
  someBatchIds,
} from '../../../support/graph-arbitraries.js';

let opened: StoreAndIndex | undefined;
let store: Store;
let serving: LmdbServingIndex;
/** An ingest replica's index, fed the same batches with their event index rows. */
let replica: LmdbServingIndex;
const replicaDir = mkdtempSync(join(tmpdir(), 'suyuan-serving-eq-replica-'));

beforeAll(async () => {
  opened = await openStoreAndIndex('suyuan-serving-eq-');
  ({ store, serving } = opened);
  replica = openLmdbServingIndex({ path: replicaDir, tables: REPLICA_TABLES });
});

afterAll(async () => {
  await replica?.close();
  rmSync(replicaDir, { recursive: true, force: true });
  await opened?.close();
});

const TABLES: readonly ProjectionTable[] = Object.keys(projectEvents([])) as ProjectionTable[];

async function reset() {
  for (const table of [...TABLES, 'derivations_by_output']) {
    await store.command(`TRUNCATE TABLE ${table}`);
  }
  await serving.clear();
  await replica.clear();
}

/** The events the store refuses: those `picks` name. */
function refusedAmong(history: readonly SuyuanEvent[], picks: readonly number[]) {
  return new Set(picks.flatMap((pick) => history[pick % history.length]?.eventId ?? []));
}

/**
 * Projects the history into both, in the same batches (cut at `cuts`), as the projector does:
 * the index takes every event; the store takes a refused event's rows in the tables written
 * before the one that refused it (here, all), never in those written last, keyed across events.
 */
async function project(
  history: readonly SuyuanEvent[],
  cuts: readonly number[],
  refused: ReadonlySet<string>,
) {
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % history.length), history.length])];
  bounds.sort((a, b) => a - b);
  for (let i = 1; i < bounds.length; i += 1) {
    const batch = history.slice(bounds[i - 1], bounds[i]);
    const rows = projectEvents(batch);
    const position = { topic: 'events', partition: 0, nextOffset: bounds[i] ?? 0 };
    await serving.apply(rows, position);
    await replica.apply(rows, position);
    for (const table of WRITE_ORDER) {
      const written = KEYED_ACROSS_EVENTS.includes(table)
        ? rows[table].filter((row) => !refused.has(String(row.event_id)))
        : rows[table];
      await store.insert(table, written);
    }
  }
}

/** Takes out the events the store refused after they were applied, as the projector does. */
async function removeRefused(history: readonly SuyuanEvent[], refused: ReadonlySet<string>) {
  for (const event of history.filter((each) => refused.has(each.eventId))) {
    await serving.remove(projectEvents([event]));
    for (const table of [...TABLES, 'derivations_by_output']) {
      await store.command(`DELETE FROM ${table} WHERE event_id = {id:String}`, {
        id: event.eventId,
      });
    }
  }
}

/** The recall reads ingest's write rules take, for every recall id and notice of the history. */
async function expectSameRecallReads(
  lmdb: RecallReads,
  stored: RecallReads,
  history: readonly SuyuanEvent[],
  batchIdSets: ReadonlyArray<readonly string[]>,
) {
  const initiations = history.filter((event) => event.eventType === 'RecallInitiated');
  for (const recallId of ALL_RECALL_IDS) {
    for (const except of ['none', ...initiations.map((event) => event.eventId)]) {
      expect(await lmdb.recallIdUsed(recallId, except)).toBe(
        await stored.recallIdUsed(recallId, except),
      );
    }
  }
  expect(await lmdb.liveRecallIds(ALL_RECALL_IDS)).toEqual(
    await stored.liveRecallIds(ALL_RECALL_IDS),
  );
  const noticeIds = [
    'N-never',
    ...history.flatMap((event) =>
      event.eventType === 'RecallNoticeIssued' ? [event.noticeId] : [],
    ),
  ];
  expect(await lmdb.noticeRecipients(noticeIds)).toEqual(await stored.noticeRecipients(noticeIds));
  for (const ids of batchIdSets) {
    expect(await lmdb.openRecallsNaming(ids)).toEqual(await stored.openRecallsNaming(ids));
  }
}

/** The replica's event index entry of every event is the store's `event_index` row of it. */
async function expectReplicaHoldsEventIndex(history: readonly SuyuanEvent[]) {
  const rows = await store.query<{ event_id: string; body_hash: string; party: string }>(
    'SELECT event_id, body_hash, party FROM event_index FINAL ORDER BY event_id',
  );
  const held = rows.map((row) => ({
    ...replica.db.eventIndex.get(row.event_id),
    id: row.event_id,
  }));
  expect(held).toEqual(
    rows.map((row) => ({ bodyHash: row.body_hash, party: row.party, id: row.event_id })),
  );
  expect(rows.length).toBe(new Set(history.map((event) => event.eventId)).size);
}

/** What a read gives, or the error it throws, so that both sides may be compared either way. */
const outcome = <T>(read: Promise<T>) =>
  read.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: String(error) }),
  );

describe('the serving index answers as the ClickHouse projection', () => {
  it('for every read, every trace and batch view, and every recall read, on random histories', async () => {
    const lmdb = createLmdbTraceReads(serving);
    const stored = createStoreTraceReads(store);
    const parties = createPartyDirectory(store);
    const traceOf = (
      reads: TraceReads,
      root: string,
      direction: 'upstream' | 'downstream' | 'both',
    ) => outcome(loadTrace({ reads, parties }, root, { direction, maxDepth: 64, maxNodes: 5000 }));
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary,
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(someBatchIds, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 3,
        }),
        async (history, cuts, idSets, refusedPicks, eventPicks) => {
          await reset();
          const refused = refusedAmong(history, refusedPicks);
          await project(history, cuts, refused);
          // The replica reads the log, not what the store refused: it answers as the whole index
          // did before the projector took the refused events out.
          await expectSameRecallReads(
            createLmdbRecallReads(replica),
            createLmdbRecallReads(serving),
            history,
            idSets,
          );
          for (const ids of idSets) {
            expect(await createLmdbTraceReads(replica).batches(ids)).toEqual(
              await lmdb.batches(ids),
            );
          }
          await expectReplicaHoldsEventIndex(history);
          await removeRefused(history, refused);
          for (const ids of idSets) {
            for (const direction of ['upstream', 'downstream'] as const) {
              expect(await lmdb.derivations(direction, ids)).toEqual(
                await stored.derivations(direction, ids),
              );
            }
            expect(await lmdb.batches(ids)).toEqual(await stored.batches(ids));
            expect(await lmdb.shipments(ids)).toEqual(await stored.shipments(ids));
            expect(await lmdb.receipts(ids)).toEqual(await stored.receipts(ids));
            expect(await lmdb.inspections(ids)).toEqual(await stored.inspections(ids));
            expect(await lmdb.recalledBatchIds(ids)).toEqual(await stored.recalledBatchIds(ids));
            expect(await lmdb.recalls(ids)).toEqual(await stored.recalls(ids));
          }
          for (const id of ALL_BATCH_IDS) {
            expect(await lmdb.batchIsKnown(id)).toBe(await stored.batchIsKnown(id));
            expect(await lmdb.timeline(id)).toEqual(await stored.timeline(id));
            expect(await outcome(loadBatch(lmdb, id))).toEqual(
              await outcome(loadBatch(stored, id)),
            );
          }
          for (const picks of eventPicks) {
            const eventIds = picks.map((pick) => history[pick % history.length]?.eventId ?? 'none');
            expect(await lmdb.unresolvedLinks(eventIds)).toEqual(
              await stored.unresolvedLinks(eventIds),
            );
          }
          const everyEventId = history.map((event) => event.eventId);
          expect(await lmdb.unresolvedLinks(everyEventId)).toEqual(
            await stored.unresolvedLinks(everyEventId),
          );
          await expectSameRecallReads(
            createLmdbRecallReads(serving),
            createStoreRecallReads(store),
            history,
            idSets,
          );
          const [root] = idSets[0] ?? [];
          if (root !== undefined) {
            for (const direction of ['upstream', 'downstream', 'both'] as const) {
              expect(await traceOf(lmdb, root, direction)).toEqual(
                await traceOf(stored, root, direction),
              );
            }
          }
        },
      ),
      // Shrinking a failure stops in time to report it (the smallest case found so far) before
      // the test's own time runs out, which would report nothing.
      { numRuns: 40, interruptAfterTimeLimit: 420_000, markInterruptAsFailure: true },
    );
    // Each run writes some twenty store statements and reads about a hundred: minutes on a
    // loaded machine.
  }, 600_000);
});
