/**
 * The serving index (docs/adr/0001-serving-path.md): the rows the online reads need, kept in LMDB
 * beside the ClickHouse projection. The projector writes a batch's rows here first, then to
 * ClickHouse, then commits its offsets; so an event is never visible in ClickHouse before it is
 * here, and a crash between the two writes is mended by the redelivery (rows are keyed by event id,
 * as in the store). Reads are memory-mapped B-tree range scans of microseconds, with any number of
 * concurrent readers, where chDB runs one statement at a time.
 *
 * Each sub-database mirrors one store table, keyed by that table's sorting key (parts joined by
 * NUL, which no identifier may contain), so a prefix range is a key lookup and `put` collapses a
 * replayed row as ReplacingMergeTree does.
 */
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { ProjectionRows } from '../projection/projection.js';

/** What each table keeps beside its key: the store row's columns that are not in the key. */
export interface ServingValues {
  productions: {
    productId: string;
    productName: string;
    producer: string;
    operator: string | null;
    quantity: number;
    unit: string;
    producedAt: string;
    hasInputs: boolean;
  };
  derivationsByInput: DerivationValue;
  derivationsByOutput: DerivationValue;
  shipments: {
    from: string;
    to: string;
    operator: string | null;
    quantity: number;
    unit: string;
    shippedAt: string;
  };
  receipts: {
    receiver: string;
    from: string;
    operator: string | null;
    quantity: number;
    unit: string;
    receivedAt: string;
  };
  inspections: {
    inspector: string;
    operator: string | null;
    kind: string;
    result: string;
    standard: string | null;
    report: string | null;
    findings: string;
    at: string;
  };
  recallBatches: true;
  /**
   * The RecallInitiated events of each recall id: it exists while one is not retracted, and the
   * earliest recorded of those counts.
   */
  recallInitiations: {
    initiatedBy: string;
    level: number;
    mode: string;
    reason: string;
    startedAt: string;
    recordedAt: string;
  };
  /** The RecallClosed events of each recall id, keyed [recallId, eventId]. */
  recallClosures: { closedAt: string };
  /** The recipient of each notice, by notice id and the event that issued it. */
  recallNotices: string;
  batchEvents: { eventType: string; party: string };
  events: {
    eventType: string;
    eventTime: string;
    recordedAt: string;
    party: string;
    operator: string | null;
    locationGln: string | null;
    locationSiteId: string | null;
    locationName: string | null;
    payload: string;
  };
  retractions: true;
  positions: number;
  /** `format`: the layout of the index, so a process with another layout rebuilds it. */
  meta: number;
}

interface DerivationValue {
  party: string;
  operator: string | null;
  quantity: number;
  unit: string | null;
  at: string;
}

/** The projection tables the serving index keeps. */
const TABLES = [
  'productions',
  'derivationsByInput',
  'derivationsByOutput',
  'shipments',
  'receipts',
  'inspections',
  'recallBatches',
  'recallInitiations',
  'recallClosures',
  'recallNotices',
  'batchEvents',
  'events',
  'retractions',
  'positions',
  'meta',
] as const;
/**
 * The layout of the tables: a change to what they hold or how they are keyed bumps it, and an
 * index of another layout is emptied at open and rebuilt from the log (serving-catch-up.ts).
 */
const FORMAT = 5;
const STRUCTURES = Symbol.for('structures');
export type ServingTable = (typeof TABLES)[number];

/**
 * Keys are arrays of strings, which LMDB's ordered-binary encoding writes as the UTF-8 parts
 * joined by a zero byte (no identifier may contain one): byte order is the store's order.
 */
export type ServingKey = string[];
const key = (...parts: string[]): ServingKey => parts;
/**
 * Every key whose first part is `prefix`: from `[prefix, '']` (the prefix and a zero byte) to the
 * prefix and a one byte, which sorts before any longer first part ("B1" never reaches "B10").
 */
export const prefixRange = (prefix: string) => ({ start: [prefix, ''], end: `${prefix}\u0001` });

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
  /** The next offset to apply, per `topic/partition`, as of the last committed batch. */
  positions(): Map<string, number>;
  /** Empties every table, to be rebuilt from the log (replay). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

type Row = Record<string, unknown>;
const text = (row: Row, column: string) => String(row[column]);

/** The puts of one projected batch, table by table. */
function putsOf(rows: ProjectionRows): Array<[ServingTable, ServingKey | string, unknown]> {
  const puts: Array<[ServingTable, ServingKey | string, unknown]> = [];
  const withInputs = new Set(rows.derivations_by_input.map((row) => text(row, 'event_id')));
  for (const row of rows.batches) {
    puts.push([
      'productions',
      key(text(row, 'batch_id'), text(row, 'recorded_at'), text(row, 'event_id')),
      {
        productId: row.product_id,
        productName: row.product_name,
        producer: row.producer,
        operator: row.operator,
        quantity: row.quantity,
        unit: row.unit,
        producedAt: row.produced_at,
        hasInputs: withInputs.has(text(row, 'event_id')),
      },
    ]);
  }
  for (const row of rows.derivations_by_input) {
    const value = {
      party: row.party,
      operator: row.operator,
      quantity: row.quantity,
      unit: row.unit,
      at: row.at,
    };
    const [input, output, eventId] = [row.input_batch_id, row.output_batch_id, row.event_id].map(
      String,
    ) as [string, string, string];
    puts.push(['derivationsByInput', key(input, output, eventId), value]);
    puts.push(['derivationsByOutput', key(output, input, eventId), value]);
  }
  for (const row of rows.shipments) {
    puts.push([
      'shipments',
      key(text(row, 'batch_id'), text(row, 'shipment_id'), text(row, 'event_id')),
      {
        from: row.from_party,
        to: row.to_party,
        operator: row.operator,
        quantity: row.quantity,
        unit: row.unit,
        shippedAt: row.shipped_at,
      },
    ]);
  }
  for (const row of rows.receipts) {
    puts.push([
      'receipts',
      key(text(row, 'batch_id'), text(row, 'shipment_id'), text(row, 'event_id')),
      {
        receiver: row.receiver,
        from: row.from_party,
        operator: row.operator,
        quantity: row.quantity,
        unit: row.unit,
        receivedAt: row.received_at,
      },
    ]);
  }
  for (const row of rows.inspections) {
    puts.push([
      'inspections',
      key(text(row, 'batch_id'), text(row, 'inspection_id'), text(row, 'event_id')),
      {
        inspector: row.inspector,
        operator: row.operator,
        kind: row.kind,
        result: row.result,
        standard: row.standard,
        report: row.report,
        findings: row.findings,
        at: row.at,
      },
    ]);
  }
  for (const row of rows.recall_batches) {
    puts.push([
      'recallBatches',
      key(text(row, 'batch_id'), text(row, 'recall_id'), text(row, 'event_id')),
      true,
    ]);
  }
  for (const row of rows.recalls) {
    puts.push([
      'recallInitiations',
      key(text(row, 'recall_id'), text(row, 'event_id')),
      {
        initiatedBy: row.initiated_by,
        level: row.level,
        mode: row.mode,
        reason: row.reason,
        startedAt: row.started_at,
        recordedAt: row.recorded_at,
      },
    ]);
  }
  for (const row of rows.recall_closures) {
    const closure = key(text(row, 'recall_id'), text(row, 'event_id'));
    puts.push(['recallClosures', closure, { closedAt: row.closed_at }]);
  }
  for (const row of rows.recall_notices) {
    puts.push([
      'recallNotices',
      key(text(row, 'notice_id'), text(row, 'event_id')),
      text(row, 'recipient'),
    ]);
  }
  for (const row of rows.batch_events) {
    puts.push([
      'batchEvents',
      key(text(row, 'batch_id'), text(row, 'event_time'), text(row, 'event_id')),
      { eventType: row.event_type, party: row.party },
    ]);
  }
  for (const row of rows.events) {
    puts.push([
      'events',
      text(row, 'event_id'),
      {
        eventType: row.event_type,
        eventTime: row.event_time,
        recordedAt: row.recorded_at,
        party: row.party,
        operator: row.operator,
        locationGln: row.location_gln,
        locationSiteId: row.location_site_id,
        locationName: row.location_name,
        payload: row.payload,
      },
    ]);
  }
  for (const row of rows.retractions) {
    puts.push(['retractions', key(text(row, 'target_event_id'), text(row, 'event_id')), true]);
  }
  return puts;
}

/** Where the embedded platform keeps its serving index, under its data directory. */
export const servingIndexPath = (dataDir: string): string => join(dataDir, 'serving');

export function openLmdbServingIndex(options: { readonly path: string }): LmdbServingIndex {
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

  return {
    db,
    isRetracted: (eventId) => retracted.has(eventId),
    async apply(rows, position) {
      const puts = putsOf(rows);
      await root.transaction(() => {
        for (const [table, entryKey, value] of puts) {
          void (db[table] as Database<unknown, ServingKey | string>).put(entryKey, value);
        }
        void db.positions.put(key(position.topic, String(position.partition)), position.nextOffset);
      });
      for (const row of rows.retractions) retracted.add(text(row, 'target_event_id'));
    },
    async remove(rows) {
      const puts = putsOf(rows);
      await root.transaction(() => {
        for (const [table, entryKey] of puts) {
          void (db[table] as Database<unknown, ServingKey | string>).remove(entryKey);
        }
      });
      for (const row of rows.retractions) {
        const target = text(row, 'target_event_id');
        const others = db.retractions.getKeysCount(prefixRange(target));
        if (others === 0) retracted.delete(target);
      }
    },
    positions() {
      const found = new Map<string, number>();
      for (const { key: entry, value } of db.positions.getRange({})) {
        const [topic, partition] = entry as ServingKey;
        found.set(`${topic}/${partition}`, value);
      }
      return found;
    },
    async clear() {
      for (const table of TABLES) await db[table].clearAsync();
      await db.meta.put('format', FORMAT);
      retracted.clear();
    },
    close: () => root.close(),
  };
}
