/**
 * The serving feeder keeps the serving index ahead of the store (docs/adr/0001-serving-path.md):
 * an event is on the serving path as soon as it is appended, however long the store's inserts
 * take, and never in the store before it is in the index; what the projector then sets aside
 * leaves the index again. Real embedded log, real chDB, real LMDB index, the real projector. The
 * store's inserts are held back by a gate the test opens: the one thing wrapped, to make an insert
 * slow on purpose.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarantineLogRecord } from '../../../services/common/dead-letters/log-inspection.js';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { logKeyOf } from '../../../services/common/events/keys.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createLogger } from '../../../services/common/logger.js';
import {
  openLmdbServingIndex,
  type LmdbServingIndex,
} from '../../../services/common/serving/lmdb-serving-index.js';
import { createLmdbTraceReads } from '../../../services/common/serving/lmdb-trace-reads.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP } from '../../../services/common/topics.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { startProjector, type Projector } from '../../../services/projector/projector.js';
import { produced } from '../../support/event-builders.js';
import { pollUntil } from '../../support/poll.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();
let dir: string;
let log: EventLog;
let chdb: Store;
let index: LmdbServingIndex;
let projector: Projector;

/** Inserts wait while the gate is held; everything else goes straight to chDB. */
let gate: Promise<void> = Promise.resolve();
let openGate = () => {};
const holdInserts = () => {
  gate = new Promise((resolve) => (openGate = resolve));
};
let insertsWaiting = 0;
const gatedStore = (): Store =>
  new Proxy(chdb, {
    get(target, property, receiver) {
      if (property !== 'insert') return Reflect.get(target, property, receiver) as unknown;
      return async (table: string, rows: readonly object[]) => {
        insertsWaiting += 1;
        await gate;
        insertsWaiting -= 1;
        return target.insert(table, rows);
      };
    },
  });

const logged = (body: Record<string, unknown>): SuyuanEvent => ({
  ...parseSubmission(body, 'plant-1')[0]!,
  recordedAt: new Date().toISOString(),
});
const append = (events: SuyuanEvent[]) =>
  log.append(
    EVENTS_TOPIC,
    events.map((event) => ({ key: logKeyOf(event), value: codec.encode(event) })),
  );
const inIndex = async (batchId: string) =>
  (await createLmdbTraceReads(index).batches([batchId])).length === 1;
const inStore = async (batchId: string) =>
  (
    await chdb.query<{ n: number }>(
      'SELECT count() AS n FROM batches FINAL WHERE batch_id = {batchId:String}',
      { batchId },
    )
  )[0]?.n === 1;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-feeder-'));
  log = createEventLog({ kind: 'embedded', path: join(dir, 'log.sqlite') }, logger);
  chdb = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(chdb, logger);
  index = openLmdbServingIndex({ path: join(dir, 'serving') });
  projector = await startProjector({
    log,
    store: gatedStore(),
    codec,
    logger,
    batchSize: 100,
    servingIndex: index,
  });
});
afterAll(async () => {
  openGate();
  await projector?.stop();
  await index?.close();
  await log?.close();
  await chdb?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the serving feeder', () => {
  it('puts an event on the serving path while the store is still inserting the batch before it', async () => {
    const [first, second] = [1, 2].map((n) => `F${n}-${randomUUID().slice(0, 8)}`);
    holdInserts();
    await append([logged(produced(first ?? ''))]);
    await pollUntil(() => Promise.resolve(insertsWaiting > 0 || undefined), {
      what: "the projector's insert of the first batch, held",
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    await append([logged(produced(second ?? ''))]);
    await pollUntil(async () => (await inIndex(second ?? '')) || undefined, {
      what: 'the second batch in the serving index while the first is being inserted',
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    expect(await inStore(first ?? '')).toBe(false);
    expect(await inStore(second ?? '')).toBe(false);
    openGate();
    await pollUntil(async () => (await inStore(second ?? '')) || undefined, {
      what: 'both batches in the store once the inserts go on',
      timeoutMs: 20_000,
    });
    expect(await inStore(first ?? '')).toBe(true);
  });

  it('takes a record quarantined ahead of the projector out of the index once the projector passes it', async () => {
    const [held, quarantined] = [1, 2].map((n) => `Q${n}-${randomUUID().slice(0, 8)}`);
    holdInserts();
    await append([logged(produced(held ?? ''))]);
    await pollUntil(() => Promise.resolve(insertsWaiting > 0 || undefined), {
      what: "the projector's insert, held",
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    const [receipt] = await append([logged(produced(quarantined ?? ''))]);
    await pollUntil(async () => (await inIndex(quarantined ?? '')) || undefined, {
      what: 'the record to quarantine in the serving index',
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    await quarantineLogRecord(
      { log, store: chdb, codec },
      { topic: EVENTS_TOPIC, ...receipt! },
      { reason: 'posted by mistake', actor: 'admin' },
    );
    openGate();
    await pollUntil(
      async () => {
        const committed = await log.committedOffsets(EVENTS_TOPIC, PROJECTOR_GROUP);
        return (committed.get(receipt!.partition) ?? 0) > receipt!.offset || undefined;
      },
      { what: 'the projector past the quarantined record', timeoutMs: 30_000 },
    );
    expect(await inIndex(quarantined ?? '')).toBe(false);
    expect(await inStore(quarantined ?? '')).toBe(false);
    expect(await inIndex(held ?? '')).toBe(true);
    expect(await inStore(held ?? '')).toBe(true);
  });
});
