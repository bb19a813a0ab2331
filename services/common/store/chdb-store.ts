import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { STORE_SETTINGS, storeFromClient } from './clickhouse-client-store.js';
import type { Store } from './store.js';

/**
 * The embedded store: the ClickHouse engine in-process through chDB, reached with the same
 * @clickhouse/client code as a server. chDB binds one data directory per process.
 */
export function createChdbStore(options: { path: string }): Store {
  mkdirSync(options.path, { recursive: true });
  const client = createClient({
    // chdb types the connection against its own copy of @clickhouse/client-common; the shapes
    // are the same at runtime (verified by every store test), only the declarations differ.
    connection: createChdbConnection({
      path: options.path,
    }) as unknown as ClickHouseClientConfigOptions['connection'],
    clickhouse_settings: STORE_SETTINGS,
  });
  return storeFromClient(client);
}
