/**
 * The serving index's trace reads are synchronous, so a large trace walked with nothing kept would
 * hold the thread from its first read to its last, and every other request (a `/healthz`, an
 * ingest acknowledgement) would wait behind it. A read of many ids waits for a turn of the event
 * loop of its own, so however many such traces are walked at once, another request waits for one
 * read, not for one of each, and the walk that began first is served first; a read of a few, as a
 * trace of tens of batches makes, goes straight through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempServingIndex, type TempServingIndex } from '../../../support/store-and-index.js';
import {
  createLmdbTraceReads,
  YIELD_AT_IDS,
} from '../../../../services/common/serving/lmdb-trace-reads.js';
import { readsForOneWalk, type TraceReads } from '../../../../services/common/trace/trace-reads.js';

let temp: TempServingIndex;

beforeAll(() => {
  temp = openTempServingIndex('suyuan-lmdb-turns-');
});

afterAll(() => temp?.close());

/** Whether a macrotask queued before the read ran before the read answered. */
async function letTheLoopTurn(read: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  setImmediate(() => {
    turned = true;
  });
  await read();
  return turned;
}

const readsOfIds = (reads: TraceReads, ids: string[]) => ({
  'derivations downstream': () => reads.derivations('downstream', ids),
  'derivations upstream': () => reads.derivations('upstream', ids),
  batches: () => reads.batches(ids),
  shipments: () => reads.shipments(ids),
  receipts: () => reads.receipts(ids),
  inspections: () => reads.inspections(ids),
  'recall flags': () => reads.recalledBatchIds(ids),
  recalls: () => reads.recalls(ids),
  'unresolved links': () => reads.unresolvedLinks(ids),
});

describe('the serving index’s trace reads', () => {
  it('let the event loop turn before a read of many ids, and not before a read of a few', async () => {
    const reads = createLmdbTraceReads(temp.serving);
    const many = Array.from({ length: YIELD_AT_IDS }, (_, i) => `B-${i}`);
    const few = many.slice(0, 25);
    for (const [name, read] of Object.entries(readsOfIds(reads, many))) {
      expect({ name, turned: await letTheLoopTurn(read) }).toEqual({ name, turned: true });
    }
    for (const [name, read] of Object.entries(readsOfIds(reads, few))) {
      expect({ name, turned: await letTheLoopTurn(read) }).toEqual({ name, turned: false });
    }
  });

  it('answer reads of many ids asked together one per turn of the event loop, in the order asked', async () => {
    const reads = createLmdbTraceReads(temp.serving);
    const many = Array.from({ length: YIELD_AT_IDS }, (_, i) => `B-${i}`);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const answeredIn: Array<{ read: string; turn: number }> = [];
    const asked = Object.entries(readsOfIds(reads, many)).map(([read, run]) =>
      run().then(() => answeredIn.push({ read, turn: turns })),
    );
    await Promise.all(asked);
    counting = false;
    expect(answeredIn.map(({ read }) => read)).toEqual(Object.keys(readsOfIds(reads, many)));
    const turnsTaken = answeredIn.map(({ turn }) => turn);
    expect(new Set(turnsTaken).size).toBe(turnsTaken.length);
  });

  it('go on answering reads of many ids after one of them fails', async () => {
    const reads = createLmdbTraceReads(temp.serving);
    const many = Array.from({ length: YIELD_AT_IDS }, (_, i) => `B-${i}`);
    // LMDB refuses a key longer than about 2 KB: the read of such an id throws.
    const refused = [...many.slice(1), 'X'.repeat(4_000)];
    const [failed, after] = await Promise.allSettled([
      reads.shipments(refused),
      reads.shipments(many),
    ]);
    expect(failed.status).toBe('rejected');
    expect(after).toEqual({ status: 'fulfilled', value: [] });
  });

  it('answer the reads of the walk that began first before those of a later walk', async () => {
    const reads = createLmdbTraceReads(temp.serving);
    const many = Array.from({ length: YIELD_AT_IDS }, (_, i) => `B-${i}`);
    const order: string[] = [];
    const walk = async (name: string, walkReads: TraceReads) => {
      await walkReads.derivations('downstream', many);
      order.push(`${name} walked`);
      await Promise.all([walkReads.shipments(many), walkReads.receipts(many)]);
      order.push(`${name} listed`);
    };
    const first = readsForOneWalk(reads);
    const second = readsForOneWalk(reads);
    expect(first).not.toBe(reads);
    await Promise.all([walk('second', second), walk('first', first)]);
    expect(order).toEqual(['first walked', 'first listed', 'second walked', 'second listed']);
  });
});
