/**
 * The key scan that picks its plan by the table's size (keysWithPrefixes): whether it scans the
 * whole table or a range per prefix, it finds exactly the keys whose first part is one of the
 * prefixes, on a real LMDB index. Random tables and prefix sets make either plan the cheaper one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempServingIndex, type TempServingIndex } from '../../../support/store-and-index.js';
import { keysWithPrefixes } from '../../../../services/common/serving/lmdb-scans.js';

let temp: TempServingIndex;

beforeAll(() => {
  temp = openTempServingIndex('suyuan-lmdb-scans-');
});

afterAll(() => temp?.close());

// Ids that share beginnings ("B1" is a prefix of "B10" but not its first part) and leave ASCII.
const id = fc.constantFrom('B1', 'B10', 'B2', '批次-1', 'B1\u0001', 'R-😀', '');
const key = fc.tuple(id, id, fc.constantFrom('E1', 'E2'));

describe('keysWithPrefixes', () => {
  it('finds the keys whose first part is a prefix asked, with either plan (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(key, { maxLength: 10, selector: (parts) => parts.join('\u0000') }),
        fc.uniqueArray(id, { maxLength: 7 }),
        async (keys, prefixes) => {
          await temp.serving.db.recallBatches.clearAsync();
          for (const parts of keys) await temp.serving.db.recallBatches.put(parts, true);
          const asked = new Set(prefixes);
          const found = keysWithPrefixes(temp.serving, 'recallBatches', asked);
          const expected = keys.filter(([first]) => asked.has(first));
          const sorted = (list: readonly string[][]) => list.map((parts) => parts.join('|')).sort();
          expect(sorted(found)).toEqual(sorted(expected));
        },
      ),
      { numRuns: 200 },
    );
  });
});
