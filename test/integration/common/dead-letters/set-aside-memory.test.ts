/**
 * The sole writer's memory of what the consumers skip answers as the store does: for any records
 * set aside and quarantined, stored before it loaded or noted after, and any batch range and
 * consumer, the same offsets and reasons as the store query it replaces. Once loaded it asks the
 * store nothing, and what a consumer sets aside it knows at once. Real chDB, the real embedded log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadLetters } from '../../../../services/common/dead-letters/dead-letters.js';
import { createSetAsideMemory } from '../../../../services/common/dead-letters/set-aside-memory.js';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import type { StoredRecord } from '../../../../services/common/log/event-log.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';
import {
  EVENTS_DEAD_LETTER_TOPIC,
  EVENTS_TOPIC,
  PROJECTOR_GROUP,
  RECALL_GROUP,
} from '../../../../services/common/topics.js';

const logger = createLogger({ level: 'silent', pretty: false });
let dir: string;
let store: Store;
let statements = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-set-aside-'));
  const chdb = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(chdb, logger);
  store = {
    ...chdb,
    query: (sql, params) => {
      statements += 1;
      return chdb.query(sql, params);
    },
    insert: (table, rows) => {
      statements += 1;
      return chdb.insert(table, rows);
    },
    command: (sql, params) => {
      statements += 1;
      return chdb.command(sql, params);
    },
  };
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const TOPICS = ['suyuan.events', 'other.events'];
const CONSUMERS = [PROJECTOR_GROUP, RECALL_GROUP];

const entry = fc.record({
  quarantine: fc.boolean(),
  topic: fc.constantFrom(...TOPICS),
  partition: fc.integer({ min: 0, max: 2 }),
  offset: fc.integer({ min: 0, max: 30 }),
  consumer: fc.constantFrom(...CONSUMERS),
  reason: fc.string({ maxLength: 8 }),
  // Stored by an earlier run of the process, before the memory loaded; otherwise noted after.
  earlier: fc.boolean(),
});

const range = fc
  .record({
    topic: fc.constantFrom(...TOPICS),
    partition: fc.integer({ min: 0, max: 2 }),
    from: fc.integer({ min: 0, max: 30 }),
    length: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ length, ...rest }) => ({ ...rest, to: rest.from + length - 1 }));

/** A batch of the range, as `skippedAmong` takes it: only its first and last offsets matter. */
function batchOf(r: { topic: string; partition: number; from: number; to: number }) {
  const record = (offset: number) =>
    ({ topic: r.topic, partition: r.partition, offset }) as StoredRecord;
  return [record(r.from), record(r.to)];
}

describe('the sole writer’s memory of what is set aside', () => {
  it('answers every batch range and consumer as the store does', async () => {
    let clock = Date.parse('2026-12-01T00:00:00Z');
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 25 }),
        fc.array(range, { minLength: 1, maxLength: 6 }),
        async (entries, ranges) => {
          await store.command('TRUNCATE TABLE quarantined_offsets');
          await store.command('TRUNCATE TABLE dead_letters');
          // Asking what to skip reads no log.
          const fromStore = createDeadLetters({ log: undefined as never, store, logger });
          const write = async (e: (typeof entries)[number]) => {
            const place = { topic: e.topic, partition: e.partition, offset: e.offset };
            const at = new Date((clock += 1)).toISOString();
            if (e.quarantine) {
              await store.insert('quarantined_offsets', [
                { ...place, reason: e.reason, actor: 'admin', at },
              ]);
            } else {
              await store.insert('dead_letters', [
                {
                  ...place,
                  consumer: e.consumer,
                  event_id: null,
                  cause: 'refused',
                  reason: '',
                  at,
                },
              ]);
            }
          };
          for (const e of entries.filter((candidate) => candidate.earlier)) await write(e);
          const memory = createSetAsideMemory(store);
          const fromMemory = createDeadLetters({
            log: undefined as never,
            store,
            logger,
            setAsideMemory: memory,
          });
          // Loaded at the first question; what is written later it learns from the writers.
          await memory.among({ topic: TOPICS[0]!, partition: 0, from: 0, to: 0 }, '');
          for (const e of entries.filter((candidate) => !candidate.earlier)) {
            await write(e);
            if (e.quarantine) memory.noteQuarantine({ ...e });
            else memory.noteSetAside(e.consumer, [e]);
          }
          for (const r of ranges) {
            for (const consumer of [undefined, ...CONSUMERS]) {
              const before = statements;
              const remembered = await fromMemory.skippedAmong(batchOf(r), consumer);
              expect(statements).toBe(before);
              const stored = await fromStore.skippedAmong(batchOf(r), consumer);
              expect(sorted(remembered)).toEqual(sorted(stored));
            }
          }
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('knows at once what a consumer set aside through DeadLetters', async () => {
    await store.command('TRUNCATE TABLE dead_letters');
    const log = createEventLog({ kind: 'embedded', path: join(dir, 'set-aside.sqlite') }, logger);
    try {
      await log.ensureTopic(EVENTS_TOPIC);
      await log.ensureTopic(EVENTS_DEAD_LETTER_TOPIC);
      const [receipt] = await log.append(EVENTS_TOPIC, [{ key: 'B-1', value: Buffer.from('x') }]);
      const [record] = await log.read(EVENTS_TOPIC, {
        partition: receipt!.partition,
        fromOffset: receipt!.offset,
        maxRecords: 1,
      });
      const setAsideMemory = createSetAsideMemory(store);
      const projector = createDeadLetters({ log, store, logger, setAsideMemory });
      const recall = createDeadLetters({ log, store, logger, setAsideMemory });
      expect((await recall.skippedAmong([record!], PROJECTOR_GROUP)).setAside.size).toBe(0);
      await projector.setAside(PROJECTOR_GROUP, [
        { record: record!, cause: 'refused', reason: 'the store refused it' },
      ]);
      const before = statements;
      expect([...(await recall.skippedAmong([record!], PROJECTOR_GROUP)).setAside]).toEqual([
        record!.offset,
      ]);
      expect([...(await recall.skippedAmong([record!], RECALL_GROUP)).setAside]).toEqual([]);
      expect(statements).toBe(before);
    } finally {
      await log.close();
    }
  });

  it('is loaded once, at the first question', async () => {
    await store.command('TRUNCATE TABLE quarantined_offsets');
    const memory = createSetAsideMemory(store);
    const before = statements;
    const ask = () =>
      memory.among({ topic: TOPICS[0]!, partition: 0, from: 0, to: 10 }, PROJECTOR_GROUP);
    await Promise.all([ask(), ask(), ask()]);
    await ask();
    expect(statements - before).toBe(2);
  });
});

function sorted(skipped: {
  quarantined: ReadonlyMap<number, string>;
  setAside: ReadonlySet<number>;
}) {
  return {
    quarantined: [...skipped.quarantined].sort(([a], [b]) => a - b),
    setAside: [...skipped.setAside].sort((a, b) => a - b),
  };
}
