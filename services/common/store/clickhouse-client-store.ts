import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { SuyuanError } from '../errors.js';
import type { QueryParams, Store } from './store.js';

/** Settings every adapter applies, so both engines parse and print times alike. */
export const STORE_SETTINGS: ClickHouseSettings = {
  date_time_input_format: 'best_effort',
  date_time_output_format: 'iso',
  output_format_json_quote_64bit_integers: 0,
};

function unavailable(cause: unknown): SuyuanError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new SuyuanError('store_unavailable', `store request failed: ${message}`, { cause });
}

/** Wraps a @clickhouse/client instance (any connection) as the store port. */
export function storeFromClient(client: ClickHouseClient): Store {
  return {
    async query<Row>(sql: string, params: QueryParams = {}) {
      try {
        const result = await client.query({
          query: sql,
          query_params: params,
          format: 'JSONEachRow',
        });
        return await result.json<Row>();
      } catch (cause) {
        throw unavailable(cause);
      }
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      try {
        await client.insert({ table, values: [...rows], format: 'JSONEachRow' });
      } catch (cause) {
        throw unavailable(cause);
      }
    },
    async command(sql, params = {}) {
      try {
        await client.command({ query: sql, query_params: params });
      } catch (cause) {
        throw unavailable(cause);
      }
    },
    async ping() {
      const result = await client.ping();
      if (!result.success) throw unavailable(result.error);
    },
    async close() {
      await client.close();
    },
  };
}
