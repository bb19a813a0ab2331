import { mkdirSync } from 'node:fs';
import {
  createClient,
  parseError,
  type ClickHouseClientConfigOptions,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { slicesInTurns } from '../runtime/slices-in-turns.js';
import { STORE_SETTINGS, storeError, storeFromClient } from './clickhouse-client-store.js';
import type { QueryParams, Store } from './store.js';

/**
 * The embedded store: the ClickHouse engine in-process through chDB, reached with the same
 * @clickhouse/client code as a server, but for inserts (below). chDB binds one data directory per
 * process.
 *
 * The store settings are SET once on the chDB session, which keeps them. Given to the client
 * instead, they would prefix every statement with a SET, a few milliseconds on every call.
 */
export function createChdbStore(options: { path: string }): Store {
  mkdirSync(options.path, { recursive: true });
  const connection = createChdbConnection({ path: options.path });
  const client = createClient({
    // chdb types the connection against its own copy of @clickhouse/client-common; the shapes
    // are the same at runtime (verified by every store test), only the declarations differ.
    connection: connection as unknown as ClickHouseClientConfigOptions['connection'],
  });
  const configured = connection.chdb.queryAsync(setStatement(STORE_SETTINGS));
  configured.catch(() => undefined); // each call below awaits it and fails with its error
  const store = storeFromClient(client);
  return {
    query: async <Row>(sql: string, params?: QueryParams) => {
      await configured;
      return store.query<Row>(sql, params);
    },
    insert: async (table, rows) => {
      await configured;
      if (rows.length === 0) return;
      // The rows as the client would send them (JSONEachRow), handed to the engine as one buffer:
      // the client's path streams them line by line and chDB joins the lines to the statement's
      // text. A fifth less of the main thread per projector batch (about 15 against 19 ms for
      // 1000 events' rows). chDB's error is read as the client reads a server's, so a refusal
      // gives the same reason either way.
      const values = await jsonEachRow(rows);
      try {
        await connection.chdb.rawInsert({ table, values, format: 'JSONEachRow' });
      } catch (cause) {
        throw storeError(cause instanceof Error ? parseError(cause) : cause);
      }
    },
    command: async (sql, params) => {
      await configured;
      return store.command(sql, params);
    },
    ping: async () => {
      await configured;
      return store.ping();
    },
    close: () => store.close(),
  };
}

/** Rows serialised in one turn of the event loop at most (`jsonEachRow`). */
const ROWS_PER_TURN = 1_000;

/**
 * The rows as JSONEachRow, {@link ROWS_PER_TURN} a turn of the event loop: the projector's batches
 * reach 5 000 events, and serialising their `events` rows at once held the thread that answers
 * HTTP for 36 ms. Still one buffer, one insert: a refusal writes none of the rows.
 *
 * A slice is one JSON.stringify of the array, its brackets cut: rows separated by commas, which
 * JSONEachRow reads as it reads lines ("ClickHouse ignores spaces between elements and commas
 * after the objects"). About a fifth less of the thread than a call per row and a join.
 */
async function jsonEachRow(rows: readonly object[]): Promise<Buffer> {
  const slices: Buffer[] = [];
  await slicesInTurns(rows, ROWS_PER_TURN, (slice) => {
    slices.push(Buffer.from(`${JSON.stringify(slice).slice(1, -1)}\n`));
  });
  return Buffer.concat(slices);
}

function setStatement(settings: ClickHouseSettings): string {
  const assignments = Object.entries(settings).map(([name, value]) => {
    if (typeof value === 'string') return `${name} = '${value.replace(/[\\']/g, '\\$&')}'`;
    if (typeof value === 'number' || typeof value === 'boolean')
      return `${name} = ${Number(value)}`;
    throw new Error(`store setting ${name}: only text, numbers and booleans are supported`);
  });
  return `SET ${assignments.join(', ')}`;
}
