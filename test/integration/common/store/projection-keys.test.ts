/**
 * The projector takes a refused event's rows out again by its event id. That is safe only where
 * one event's row never replaces another's: where a table keys its rows by something else, the
 * refused event's row may already have replaced (on insert, or in a merge) the row that stood,
 * and deleting it would leave nothing. So every projection table keys its rows by event id, but
 * those keyed across events, which the projector writes after every other table and so never
 * for an event the store refuses; and an event has rows in one of those at most, so the rows of
 * its own it does write are always in tables written before any it may be refused in.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvents } from '../../../../services/common/projection/projection.js';
import {
  KEYED_ACROSS_EVENTS,
  WRITE_ORDER,
} from '../../../../services/common/projection/write-order.js';
import type { Store } from '../../../../services/common/store/store.js';
import { historyArbitrary } from '../../../support/graph-arbitraries.js';
import { openStoreAndIndex, type StoreAndIndex } from '../../../support/store-and-index.js';

let opened: StoreAndIndex | undefined;
let store: Store;

beforeAll(async () => {
  opened = await openStoreAndIndex('suyuan-projection-keys-');
  ({ store } = opened);
});

afterAll(() => opened?.close());

describe('the projection tables', () => {
  it('key their rows by event id, all but those keyed across events, which are written last', async () => {
    const everyTable = Object.keys(projectEvents([]));
    expect([...WRITE_ORDER].sort()).toEqual([...everyTable].sort());
    expect(WRITE_ORDER.slice(-KEYED_ACROSS_EVENTS.length)).toEqual(KEYED_ACROSS_EVENTS);

    const tables = await store.query<{ name: string; sorting_key: string }>(
      `SELECT name, sorting_key FROM system.tables
       WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
      { names: [...everyTable, 'derivations_by_output'] },
    );
    expect(tables).toHaveLength(everyTable.length + 1);
    const keyedAcross = tables
      .filter((table) => !table.sorting_key.split(', ').includes('event_id'))
      .map((table) => table.name);
    expect(keyedAcross.sort()).toEqual([...KEYED_ACROSS_EVENTS].sort());
  });

  it('give an event rows in one table keyed across events at most', () => {
    fc.assert(
      fc.property(historyArbitrary, (history) => {
        for (const event of history) {
          const rows = projectEvents([event]);
          const across = KEYED_ACROSS_EVENTS.filter((table) => rows[table].length > 0);
          expect(across.length).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
