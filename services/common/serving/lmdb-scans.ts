/** The range scans every read of the serving index is made of. */
import type { LmdbServingIndex } from './lmdb-serving-index.js';
import { prefixRange, type ServingKey, type ServingTable } from './serving-rows.js';

/** Entries of one table whose key starts with `prefix`: the key's parts and the value. */
export function* entries<T extends ServingTable>(
  index: LmdbServingIndex,
  table: T,
  prefix: string,
) {
  for (const { key, value } of index.db[table].getRange(prefixRange(prefix))) {
    yield { parts: key as ServingKey, value };
  }
}

/** Whether one of the entries keyed `[prefix, eventId]` of a table has an event that stands. */
export function anyStands(
  index: LmdbServingIndex,
  table: 'recallInitiations' | 'recallClosures',
  prefix: string,
): boolean {
  for (const { parts } of entries(index, table, prefix)) {
    if (!index.isRetracted(parts[1] ?? '')) return true;
  }
  return false;
}

/** A recall exists while one of its RecallInitiated events is not retracted (projection-rules). */
export const recallIsLive = (index: LmdbServingIndex, recallId: string): boolean =>
  anyStands(index, 'recallInitiations', recallId);

/** A recall is open while it exists and no RecallClosed of it stands (projection-rules). */
export const recallIsOpen = (index: LmdbServingIndex, recallId: string): boolean =>
  recallIsLive(index, recallId) && !anyStands(index, 'recallClosures', recallId);

/**
 * The keys of a table whose first part is one of `prefixes`, in no particular order. A prefix
 * range costs about a microsecond even when empty, where a key of a whole scan costs a third of
 * one: while the table holds no more keys than there are prefixes (tables of rare facts, such as
 * recalls or captured EPCIS events, against the thousands of ids of a large trace), one scan of
 * the table is the cheaper plan.
 */
export function keysWithPrefixes(
  index: LmdbServingIndex,
  table: 'recallBatches' | 'epcisDerivations',
  prefixes: ReadonlySet<string>,
): ServingKey[] {
  const db = index.db[table];
  const found: ServingKey[] = [];
  const { entryCount } = db.getStats() as { entryCount: number };
  if (entryCount <= prefixes.size) {
    for (const key of db.getKeys({})) {
      const parts = key as ServingKey;
      if (prefixes.has(parts[0] ?? '')) found.push(parts);
    }
    return found;
  }
  for (const prefix of prefixes) {
    for (const key of db.getKeys(prefixRange(prefix))) found.push(key as ServingKey);
  }
  return found;
}
