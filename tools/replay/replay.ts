/**
 * Rebuilds the trace projection from the event log, from offset 0, into fresh tables, then
 * switches over. The old tables answer until the switch, so readers never see a half-built
 * projection. Events a live projector writes while the rebuild runs are caught up after the
 * switch (the projection is idempotent: rows are keyed by event id).
 *
 *   1. `<table>__replay` for every projection table, same structure;
 *   2. every record up to the end offsets taken at the start, decoded and projected;
 *   3. EXCHANGE TABLES for each, the materialized view re-created on the new tables;
 *   4. a catch-up pass from those end offsets to the new end; the old tables are dropped.
 */
import type { EventCodec } from '../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import type { EventLog } from '../../services/common/log/event-log.js';
import type { Logger } from '../../services/common/logger.js';
import type { Store } from '../../services/common/store/store.js';
import { EVENTS_TOPIC } from '../../services/common/topics.js';
import {
  emptyRows,
  forStoreBeside,
  projectEvents,
  type ProjectionTable,
} from '../../services/common/projection/projection.js';

const SUFFIX = '__replay';
/** Filled by a materialized view from derivations_by_input (infra/clickhouse/0001). */
const VIEW = 'derivations_by_output_mv';
const VIEW_TARGET = 'derivations_by_output';
const VIEW_SOURCE = 'derivations_by_input';

export interface ReplayProgress {
  readonly phase: 'rebuild' | 'catch-up';
  readonly done: number;
  readonly total: number;
}

export interface ReplayDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly logger: Logger;
  /** Records read and written per round (default 5000). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayResult {
  /** Records read from the log, in both phases. */
  readonly records: number;
  /** Records that could not be decoded and were skipped (they are in the dead-letter topic). */
  readonly undecodable: number;
  readonly tables: readonly string[];
}

type Offsets = ReadonlyMap<number, number>;

function projectionTables(): string[] {
  return [...(Object.keys(emptyRows()) as ProjectionTable[]), VIEW_TARGET];
}

const total = (from: Offsets, to: Offsets) =>
  [...to].reduce((sum, [partition, end]) => sum + Math.max(0, end - (from.get(partition) ?? 0)), 0);

export async function replayProjection(deps: ReplayDeps): Promise<ReplayResult> {
  const { store, logger } = deps;
  const tables = projectionTables();
  const start = new Map<number, number>();
  const snapshot = await deps.log.endOffsets(EVENTS_TOPIC);
  logger.info(
    { tables: tables.length, records: total(start, snapshot) },
    'replay: building fresh tables',
  );
  for (const table of tables) {
    await store.command(`DROP TABLE IF EXISTS ${table}${SUFFIX}`);
    await store.command(`CREATE TABLE ${table}${SUFFIX} AS ${table}`);
  }
  await store.command(`DROP VIEW IF EXISTS ${VIEW}${SUFFIX}`);
  await store.command(
    `CREATE MATERIALIZED VIEW ${VIEW}${SUFFIX} TO ${VIEW_TARGET}${SUFFIX} AS SELECT * FROM ${VIEW_SOURCE}${SUFFIX}`,
  );
  const rebuilt = await project(deps, start, snapshot, 'rebuild', SUFFIX);

  logger.info('replay: switching to the rebuilt tables');
  await store.command(`DROP VIEW IF EXISTS ${VIEW}${SUFFIX}`);
  await store.command(`DROP VIEW IF EXISTS ${VIEW}`);
  for (const table of tables) await store.command(`EXCHANGE TABLES ${table} AND ${table}${SUFFIX}`);
  await store.command(
    `CREATE MATERIALIZED VIEW ${VIEW} TO ${VIEW_TARGET} AS SELECT * FROM ${VIEW_SOURCE}`,
  );
  const caughtUp = await project(
    deps,
    snapshot,
    await deps.log.endOffsets(EVENTS_TOPIC),
    'catch-up',
    '',
  );
  for (const table of tables) await store.command(`DROP TABLE IF EXISTS ${table}${SUFFIX}`);
  return {
    records: rebuilt.records + caughtUp.records,
    undecodable: rebuilt.undecodable + caughtUp.undecodable,
    tables,
  };
}

/** Projects the records in [from, to) of every partition into the tables named `<table><suffix>`. */
async function project(
  deps: ReplayDeps,
  from: Offsets,
  to: Offsets,
  phase: ReplayProgress['phase'],
  suffix: string,
): Promise<{ records: number; undecodable: number }> {
  const batchSize = deps.batchSize ?? 5_000;
  const forStore = forStoreBeside(deps.log);
  const count = total(from, to);
  let done = 0;
  let undecodable = 0;
  deps.onProgress?.({ phase, done, total: count });
  for (const [partition, end] of to) {
    let offset = from.get(partition) ?? 0;
    while (offset < end) {
      const records = await deps.log.read(EVENTS_TOPIC, {
        partition,
        fromOffset: offset,
        maxRecords: Math.min(batchSize, end - offset),
      });
      if (records.length === 0) break;
      const events: SuyuanEvent[] = [];
      for (const record of records) {
        if (record.offset >= end) break;
        try {
          events.push(deps.codec.decode(record.value));
        } catch {
          undecodable += 1;
        }
        offset = record.offset + 1;
        done += 1;
      }
      const rows = projectEvents(events, forStore);
      for (const [table, tableRows] of Object.entries(rows)) {
        await deps.store.insert(`${table}${suffix}`, tableRows);
      }
      deps.onProgress?.({ phase, done, total: count });
    }
  }
  return { records: done, undecodable };
}
