/**
 * The serving index (docs/adr/0001-serving-path.md): the rows the online reads need, kept in LMDB
 * beside the ClickHouse projection. The serving feeder writes the log's records here as they are
 * appended; the projector writes a batch to ClickHouse only once it is here, then commits its
 * offsets; so an event is never visible in ClickHouse before it is here, and a crash between the
 * two writes is mended by the redelivery (rows are keyed by event id, as in the store). Reads are memory-mapped B-tree range scans of microseconds, with any number of
 * concurrent readers, where chDB runs one statement at a time.
 *
 * Each sub-database mirrors one store table, keyed by that table's sorting key (parts joined by
 * NUL, which no identifier may contain), so a prefix range is a key lookup and `put` collapses a
 * replayed row as ReplacingMergeTree does.
 */
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { ProjectionRows } from '../projection/projection.js';
import { changeOf, type ServingChange } from './serving-changes.js';
import {
  key,
  prefixRange,
  putsOf,
  TABLES,
  type ServingKey,
  type ServingTable,
  type ServingValues,
} from './serving-rows.js';

/**
 * The layout of the tables: a change to what they hold or how they are keyed bumps it, and an
 * index of another layout is emptied at open and rebuilt from the log (serving-catch-up.ts).
 */
const FORMAT = 6;
const STRUCTURES = Symbol.for('structures');

export type ServingDatabases = {
  readonly [T in ServingTable]: Database<ServingValues[T], ServingKey | string>;
};

export interface LmdbServingIndex {
  readonly db: ServingDatabases;
  /** True when `eventId` has been retracted (EventRetracted names it). */
  readonly isRetracted: (eventId: string) => boolean;
  /**
   * Writes the rows of a projected batch and the log position after it in one transaction;
   * resolves once committed.
   */
  apply(rows: ProjectionRows, position: LogPosition): Promise<void>;
  /**
   * Takes out the rows of events the store refused after they were applied (the projector sets
   * them aside), so the index holds what the store holds.
   */
  remove(rows: ProjectionRows): Promise<void>;
  /** The next offset of `topic` to apply, per partition, as of the last committed batch. */
  positions(topic: string): Map<number, number>;
  /** Empties every table, to be rebuilt from the log (replay). */
  clear(): Promise<void>;
  /**
   * Calls `listener` after each committed write with what it can change (serving-changes.ts);
   * returns the function that stops it.
   */
  watch(listener: (change: ServingChange) => void): () => void;
  close(): Promise<void>;
}

export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

/** Where the embedded platform keeps its serving index, under its data directory. */
export const servingIndexPath = (dataDir: string): string => join(dataDir, 'serving');

export interface ServingIndexOptions {
  readonly path: string;
  /**
   * The tables this index keeps, when not all: the rows of the others are left out of `apply`
   * (a distributed ingest instance's replica keeps what its write rules read).
   */
  readonly tables?: readonly ServingTable[];
}

export function openLmdbServingIndex(options: ServingIndexOptions): LmdbServingIndex {
  const kept = options.tables && new Set<ServingTable>(options.tables);
  // noSync: a process crash keeps every committed write (the OS has it); a machine crash may lose
  // the last transactions, which the start-up catch-up replays from the log (positions say where).
  const root: RootDatabase = open({ path: options.path, noSync: true, maxDbs: TABLES.length });
  const db = Object.fromEntries(
    // A table's rows share one shape: msgpack records, whose field names are stored once, decode
    // about twice as fast as self-describing maps. (Tables of flags and numbers store none.)
    TABLES.map((name) => [name, root.openDB({ name, sharedStructuresKey: STRUCTURES })]),
  ) as unknown as ServingDatabases;
  if (db.meta.get('format') !== FORMAT) {
    for (const table of TABLES) db[table].clearSync();
    db.meta.putSync('format', FORMAT);
  }
  // Retractions are rare corrections, and every row read is checked against them: a set in
  // memory, loaded once and kept in step with the committed retractions table.
  const retracted = new Set<string>();
  for (const { key: entry } of db.retractions.getRange({})) retracted.add(String(entry[0]));
  const listeners = new Set<(change: ServingChange) => void>();
  /** Tells the watchers; what a write changes is worked out only when someone watches. */
  const changed = (change: () => ServingChange) => {
    if (listeners.size === 0) return;
    const made = change();
    for (const listener of listeners) listener(made);
  };
  /** The inputs any production of a batch names, as committed: [output, input, eventId] keys. */
  const inputsOf = function* (batchId: string) {
    for (const { key: entry } of db.derivationsByOutput.getRange(prefixRange(batchId))) {
      yield String((entry as ServingKey)[1]);
    }
  };

  return {
    db,
    isRetracted: (eventId) => retracted.has(eventId),
    async apply(rows, position) {
      const all = putsOf(rows);
      const puts = kept ? all.filter(([table]) => kept.has(table)) : all;
      // Puts made in one event turn commit in one transaction (lmdb's event-turn batching), and
      // its write thread, not this one, inserts them into the trees: this thread only encodes
      // them. In a transaction callback this thread inserted them too, at about twice the cost.
      for (const [table, entryKey, value] of puts) {
        void (db[table] as Database<unknown, ServingKey | string>).put(entryKey, value);
      }
      await db.positions.put(key(position.topic, String(position.partition)), position.nextOffset);
      for (const row of rows.retractions) retracted.add(String(row.target_event_id));
      changed(() => changeOf(puts, inputsOf));
    },
    async remove(rows) {
      const puts = putsOf(rows);
      await root.transaction(() => {
        for (const [table, entryKey] of puts) {
          void (db[table] as Database<unknown, ServingKey | string>).remove(entryKey);
        }
      });
      for (const row of rows.retractions) {
        const target = String(row.target_event_id);
        const others = db.retractions.getKeysCount(prefixRange(target));
        if (others === 0) retracted.delete(target);
      }
      changed(() => changeOf(puts, inputsOf));
    },
    positions(topic) {
      const found = new Map<number, number>();
      for (const { key: entry, value } of db.positions.getRange(prefixRange(topic))) {
        found.set(Number((entry as ServingKey)[1]), value);
      }
      return found;
    },
    async clear() {
      for (const table of TABLES) await db[table].clearAsync();
      await db.meta.put('format', FORMAT);
      retracted.clear();
      changed(() => 'all');
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => root.close(),
  };
}
