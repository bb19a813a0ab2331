/**
 * The proof keeper's memory of each tree (`TreeMemory`, kept when its process is the store's only
 * writer) changes no tree: for any records split into any batches, delivered again in part, with
 * writes that fail half way and are retried as the subscription retries them, the heads match
 * those of appends that read everything back from the store, and after the first append nothing
 * is read back while the writes succeed. Real chDB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import type { StoredRecord } from '../../../../services/common/log/event-log.js';
import { createLogger } from '../../../../services/common/logger.js';
import { readHead } from '../../../../services/common/proofs/proof-store.js';
import { appendToTree, type TreeMemory } from '../../../../services/common/proofs/tree-append.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';

const codec = createEventCodec();
let dir: string;
let chdb: Store;
let reads = 0;
/** Set to fail the next head write: the nodes and leaves of that append are stored, the head not. */
let failNextHead = false;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-tree-memory-'));
  chdb = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(chdb, createLogger({ level: 'silent', pretty: false }));
  store = {
    ...chdb,
    query: (sql, params) => {
      reads += 1;
      return chdb.query(sql, params);
    },
    insert: async (table, rows) => {
      if (table === 'proof_heads' && failNextHead) {
        failNextHead = false;
        throw new Error('the store went away');
      }
      return chdb.insert(table, rows);
    },
  };
});
afterAll(async () => {
  await chdb?.close();
  await rm(dir, { recursive: true, force: true });
});

const record = (partition: number, offset: number, value: Uint8Array): StoredRecord => ({
  topic: 'suyuan.events',
  partition,
  offset,
  key: 'B-1',
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});

/** One delivery: the records from `from` (a redelivery starts before what was appended). */
const delivery = fc.record({
  back: fc.integer({ min: 0, max: 3 }),
  size: fc.integer({ min: 1, max: 9 }),
  failsHalfWay: fc.boolean(),
});

let nextPartition = 0;

describe('a proof keeper that keeps its trees in memory', () => {
  it('appends the same trees as one that reads them back, reading nothing after the first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 }),
        fc.array(delivery, { minLength: 1, maxLength: 12 }),
        async (values, deliveries) => {
          // A partition of its own for each way of appending: both trees live in one store.
          const remembered = nextPartition++;
          const readBack = nextPartition++;
          const memory: TreeMemory = new Map();
          let position = 0;
          for (const [step, { back, size, failsHalfWay }] of deliveries.entries()) {
            const from = Math.max(0, position - back);
            const offsets = values.slice(from, from + size).map((_, i) => from + i);
            if (offsets.length === 0) break;
            const batch = (partition: number) =>
              offsets.map((offset) => record(partition, offset, values[offset]!));
            // Only an append with records the tree lacks writes, and so can fail half way.
            const fails = failsHalfWay && offsets.at(-1)! >= position;
            failNextHead = fails;
            const readsBefore = reads;
            const appended = appendToTree({ store, codec, memory }, remembered, batch(remembered));
            if (fails) {
              await expect(appended).rejects.toThrow('the store went away');
              // Delivered again, as the subscription does after a failed batch.
              await appendToTree({ store, codec, memory }, remembered, batch(remembered));
            } else {
              await appended;
              if (step > 0) expect(reads).toBe(readsBefore);
            }
            await appendToTree({ store, codec }, readBack, batch(readBack));
            position = Math.max(position, offsets.at(-1)! + 1);
            const [a, b] = await Promise.all([
              readHead(chdb, remembered),
              readHead(chdb, readBack),
            ]);
            expect({ size: a?.size, root: a?.root, nextOffset: a?.nextOffset }).toEqual({
              size: b?.size,
              root: b?.root,
              nextOffset: b?.nextOffset,
            });
            expect(memory.get(remembered)?.head).toEqual(a);
          }
        },
      ),
      { numRuns: 25, endOnFailure: true },
    );
  });
});
