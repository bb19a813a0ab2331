import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { SuyuanError } from '../errors.js';
import { checkArrayParams } from './query-in-chunks.js';
import type { QueryParams, Store } from './store.js';

/** Settings every adapter applies, so both engines parse and print times alike. */
export const STORE_SETTINGS: ClickHouseSettings = {
  date_time_input_format: 'best_effort',
  date_time_output_format: 'iso',
  output_format_json_quote_64bit_integers: 0,
};

/**
 * ClickHouse exception codes by which the server says it read the request and refused the values
 * in it: text it cannot parse as the column's type (6, 25–27, 38, 41, 72, 130), a type or range
 * it cannot convert (53, 69, 70, 321), data it judges wrong (117, 131, 349). Sending the same
 * values again will fail again; anything else (no answer, a timeout, a server error, a missing
 * table) may pass once the store is back, so it stays `store_unavailable`.
 */
const REFUSED_DATA_CODES: ReadonlySet<number> = new Set([
  6, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 130, 131, 321, 349,
]);

/**
 * The exception code of a ClickHouse error, over HTTP or from chDB. Duck-typed: chDB raises the
 * ClickHouseError of its own copy of the client's common package.
 */
function exceptionCode(cause: unknown): number | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
}

/** A failed request as the store port reports it: refused values, or a store not to be had. */
export function storeError(cause: unknown): SuyuanError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = exceptionCode(cause);
  if (code !== undefined && REFUSED_DATA_CODES.has(code)) {
    return new SuyuanError('store_refused', `store refused the data: ${message}`, { cause });
  }
  return new SuyuanError('store_unavailable', `store request failed: ${message}`, { cause });
}

/**
 * Wraps a @clickhouse/client instance (any connection) as the store port. A statement whose array
 * parameter is longer than MAX_ARRAY_PARAM is refused unsent (query-in-chunks.ts).
 */
export function storeFromClient(client: ClickHouseClient): Store {
  return {
    async query<Row>(sql: string, params: QueryParams = {}) {
      checkArrayParams(params);
      try {
        const result = await client.query({
          query: sql,
          query_params: params,
          format: 'JSONEachRow',
        });
        return await result.json<Row>();
      } catch (cause) {
        throw storeError(cause);
      }
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      try {
        await client.insert({ table, values: [...rows], format: 'JSONEachRow' });
      } catch (cause) {
        throw storeError(cause);
      }
    },
    async command(sql, params = {}) {
      checkArrayParams(params);
      try {
        await client.command({ query: sql, query_params: params });
      } catch (cause) {
        throw storeError(cause);
      }
    },
    async ping() {
      const result = await client.ping();
      if (!result.success) throw storeError(result.error);
    },
    async close() {
      await client.close();
    },
  };
}
