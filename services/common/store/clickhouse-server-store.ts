/**
 * The store on a ClickHouse server, over its HTTP interface with @clickhouse/client. Production
 * points it at a real ClickHouse server; machines without one (development, CI here) point it at
 * tools/store-server, which serves the same interface over chDB.
 */
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { SuyuanError } from '../errors.js';
import { STORE_SETTINGS, storeFromClient } from './clickhouse-client-store.js';
import type { Store } from './store.js';

export interface ClickHouseServerStoreOptions {
  /** The server's HTTP endpoint, e.g. http://127.0.0.1:8123 (CLICKHOUSE_URL). */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Created when missing; a client bound to a database that does not exist fails every query. */
  readonly database: string;
  /** Per request; the client's default is 30 s. */
  readonly requestTimeoutMs?: number;
}

/** `name` as a ClickHouse identifier in back quotes. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

function clientOptions(options: ClickHouseServerStoreOptions) {
  return {
    url: options.url,
    username: options.username,
    password: options.password,
    // Failures reach the caller as SuyuanError and are logged there; the client's own console
    // logging would repeat each one outside the process's pino log.
    log: { level: ClickHouseLogLevel.OFF },
    ...(options.requestTimeoutMs === undefined
      ? {}
      : { request_timeout: options.requestTimeoutMs }),
  };
}

/** `CREATE DATABASE IF NOT EXISTS`, through a client bound to no database. */
export async function ensureDatabase(options: ClickHouseServerStoreOptions): Promise<void> {
  if (options.database === 'default') return;
  const client = createClient(clientOptions(options));
  try {
    await client.command({
      query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(options.database)}`,
    });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new SuyuanError(
      'store_unavailable',
      `could not create database ${options.database} (CLICKHOUSE_DATABASE) at ${options.url} (CLICKHOUSE_URL): ${message}`,
      { cause },
    );
  } finally {
    await client.close();
  }
}

export async function createClickHouseServerStore(
  options: ClickHouseServerStoreOptions,
): Promise<Store> {
  await ensureDatabase(options);
  const client = createClient({
    ...clientOptions(options),
    database: options.database,
    clickhouse_settings: STORE_SETTINGS,
  });
  return storeFromClient(client);
}
