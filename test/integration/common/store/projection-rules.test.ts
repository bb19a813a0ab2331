/**
 * "Open recall" means one thing everywhere: a recall whose RecallInitiated is not retracted and
 * that no unretracted RecallClosed names. Random histories of initiations, closures and
 * retractions go through the real projection into chDB; then ingest's shipment warnings, the
 * recall service's book of open recalls and the recall listings must all agree with that rule.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../../services/common/events/event-types.generated.js';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../../services/common/log/event-log.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import { findOpenRecalls } from '../../../../services/common/store/projection-rules.js';
import type { Store } from '../../../../services/common/store/store.js';
import { createStoreTraceReads } from '../../../../services/common/trace/store-trace-reads.js';
import type { SubmittedEvent } from '../../../../services/ingest/parse-submission.js';
import { recallWarnings } from '../../../../services/ingest/recall-rules.js';
import { createStoreRecallReads } from '../../../../services/common/trace/store-recall-reads.js';
import { projectEvents } from '../../../../services/common/projection/projection.js';
import { createRecallBook } from '../../../../services/recall/recall-book.js';
import { findRecalls } from '../../../../services/recall/recall-queries.js';

const logger = createLogger({ level: 'silent', pretty: false });
let dir: string;
let store: Store;
let log: EventLog;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-projection-rules-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  log = createEventLog({ kind: 'embedded', path: join(dir, 'log.db') }, logger);
  await migrate(store, logger);
});
afterAll(async () => {
  await log?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

interface RecallHistory {
  readonly initiationRetracted: boolean;
  /** Each closure, and whether it was retracted. */
  readonly closures: readonly boolean[];
}

const history = fc.record({
  initiationRetracted: fc.boolean(),
  closures: fc.array(fc.boolean(), { maxLength: 2 }),
});

const isOpen = (recall: RecallHistory) =>
  !recall.initiationRetracted && recall.closures.every((retracted) => retracted);
const exists = (recall: RecallHistory) => !recall.initiationRetracted;

let second = 0;
/** Events in the order they happened; every event a second after the one before. */
function eventsOf(recallId: string, root: string, recall: RecallHistory): SuyuanEvent[] {
  const envelope = (party: string) => {
    const at = new Date(Date.UTC(2026, 10, 1) + (second += 1) * 1000).toISOString();
    return {
      eventId: randomUUID(),
      eventTime: at,
      recordedAt: at,
      party,
      location: null,
      operator: null,
    };
  };
  const retraction = (target: string): SuyuanEvent => ({
    ...envelope('regulator'),
    eventType: 'EventRetracted',
    targetEventId: target,
    reason: 'recorded by mistake',
  });
  const initiated: SuyuanEvent = {
    ...envelope('regulator'),
    eventType: 'RecallInitiated',
    recallId,
    rootBatchIds: [root],
    level: 2,
    mode: 'ORDERED',
    reason: 'test',
    epcisEventId: null,
  };
  const events: SuyuanEvent[] = [initiated];
  if (recall.initiationRetracted) events.push(retraction(initiated.eventId));
  for (const retracted of recall.closures) {
    const closed: SuyuanEvent = {
      ...envelope('regulator'),
      eventType: 'RecallClosed',
      recallId,
      reason: 'done',
    };
    events.push(closed);
    if (retracted) events.push(retraction(closed.eventId));
  }
  return events;
}

async function project(events: readonly SuyuanEvent[]) {
  for (const [table, rows] of Object.entries(projectEvents(events))) {
    if (rows.length > 0) await store.insert(table, rows);
  }
}

const shipmentOf = (batchId: string, index: number) => ({
  index,
  event: {
    eventId: randomUUID(),
    eventType: 'BatchShipped',
    eventTime: '2026-11-02T00:00:00.000Z',
    shipmentId: `S-${batchId}`,
    to: 'shop',
    lines: [{ batchId, quantity: 1, unit: 'kg' }],
    location: null,
    operator: null,
  } as unknown as SubmittedEvent,
});

describe('one definition of an open recall', () => {
  // Each run writes and reads the store a dozen times: on a loaded machine that takes a while.
  it(
    'ingest warnings, the recall book and the listings agree with the rule',
    { timeout: 300_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(history, { minLength: 1, maxLength: 5 }), async (histories) => {
          const run = randomUUID().slice(0, 8);
          const recalls = histories.map((recall, i) => ({
            ...recall,
            recallId: `R-${run}-${i}`,
            root: `B-${run}-${i}`,
          }));
          await project(recalls.flatMap((r) => eventsOf(r.recallId, r.root, r)));
          const ours = (ids: Iterable<string>) => [...ids].filter((id) => id.includes(run)).sort();
          const expectedOpen = recalls.filter(isOpen).map((r) => r.recallId);
          const expectedClosed = recalls
            .filter((r) => exists(r) && !isOpen(r))
            .map((r) => r.recallId);

          expect(ours((await findOpenRecalls(store)).map((r) => r.recallId))).toEqual(expectedOpen);

          const reader = { partyId: 'regulator', seesAll: true };
          const listed = async (status: 'open' | 'closed') =>
            ours((await findRecalls(store, { status, reader })).map((r) => r.recallId));
          expect(await listed('open')).toEqual(expectedOpen);
          expect(await listed('closed')).toEqual(expectedClosed);
          const shown = await findRecalls(store, { reader });
          expect(ours(shown.filter((r) => r.closedAt === null).map((r) => r.recallId))).toEqual(
            expectedOpen,
          );

          const warnings = await recallWarnings(
            createStoreRecallReads(store),
            recalls.map((r, i) => shipmentOf(r.root, i)),
          );
          expect(ours(warnings.flatMap((w) => w.recallIds))).toEqual(expectedOpen);

          const book = createRecallBook({
            log,
            store,
            reads: createStoreTraceReads(store),
            codec: createEventCodec(),
            logger,
            systemPartyId: 'system',
            now: () => new Date(),
          });
          const covered = await Promise.all(recalls.map((r) => book.coveredRoots([r.root], [])));
          expect(ours(covered.flatMap((id) => id ?? []))).toEqual(expectedOpen);
        }),
        { numRuns: 20 },
      );
    },
  );
});
