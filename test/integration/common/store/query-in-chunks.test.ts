/**
 * No statement may carry an array parameter long enough to stall the engine: the store refuses
 * one of more than MAX_ARRAY_PARAM elements before sending it, and queryInChunks reads a longer
 * list in parts with the answer one statement would give. Real chDB, a small table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import {
  ID_CHUNK,
  MAX_ARRAY_PARAM,
  queryInChunks,
} from '../../../../services/common/store/query-in-chunks.js';

/** `count` made-up ids that match no row. */
const padding = (count: number, prefix = 'pad') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

describe('array parameters of store statements', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-query-in-chunks-'));
  const store = createChdbStore({ path: dir });

  beforeAll(async () => {
    await store.command('CREATE TABLE items (id String, n UInt32) ENGINE = MergeTree ORDER BY id');
    await store.insert('items', [
      { id: 'a', n: 3 },
      { id: 'b', n: 1 },
      { id: 'b', n: 4 },
      { id: 'c', n: 2 },
    ]);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries MAX_ARRAY_PARAM (ID_CHUNK) elements in one statement', async () => {
    expect(MAX_ARRAY_PARAM).toBe(ID_CHUNK);
    const rows = await store.query<{ n: number }>('SELECT length({ids:Array(String)}) AS n', {
      ids: padding(ID_CHUNK),
    });
    expect(rows).toEqual([{ n: ID_CHUNK }]);
  });

  it('refuses one element more at once, naming the parameter, its length and queryInChunks', async () => {
    const ids = padding(ID_CHUNK + 1);
    const refusal = new RegExp(`ids holds ${ID_CHUNK + 1} elements.*queryInChunks`);
    await expect(
      store.query('SELECT count() AS n FROM items WHERE id IN {ids:Array(String)}', { ids }),
    ).rejects.toThrow(refusal);
    await expect(
      store.command('ALTER TABLE items DELETE WHERE id IN {ids:Array(String)}', { ids }),
    ).rejects.toThrow(refusal);
    // Nothing was sent: the table is whole and the store answers.
    expect(await store.query('SELECT count() AS n FROM items')).toEqual([{ n: 4 }]);
  });

  it('reads a longer list in parts: rows of every part, once per distinct id, in order', async () => {
    // 'c' in the first part, 'a' and 'b' in the second (and 'b' twice), past ID_CHUNK + 1 ids.
    const ids = ['c', ...padding(ID_CHUNK), 'b', 'a', 'b'];
    const rows = await queryInChunks<{ id: string; n: number }>(
      store,
      'SELECT id, n FROM items WHERE id IN {ids:Array(String)} AND n >= {least:UInt32} ORDER BY n',
      'ids',
      ids,
      { params: { least: 2 }, order: (x, y) => x.n - y.n },
    );
    expect(rows).toEqual([
      { id: 'c', n: 2 },
      { id: 'a', n: 3 },
      { id: 'b', n: 4 },
    ]);
  });

  it('runs no statement for an empty list', async () => {
    expect(await queryInChunks(store, 'SELECT * FROM nowhere', 'ids', [])).toEqual([]);
  });
});
