import { SuyuanError } from '../errors.js';
import { createClickHouseServerStore } from './clickhouse-server-store.js';
import type { Store } from './store.js';

/** Which store to use; plain data, so a child process can build the same adapter. */
export type StoreConfig =
  | { readonly kind: 'chdb'; readonly path: string }
  | {
      readonly kind: 'clickhouse';
      readonly url: string;
      readonly username: string;
      readonly password: string;
      readonly database: string;
      readonly requestTimeoutMs?: number;
    };

/** Builds the store adapter named by the configuration. */
export async function createStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'chdb':
      try {
        // Loaded only here: chDB is a large native library that distributed services never use,
        // and loading it is a noticeable part of their start-up.
        const { createChdbStore } = await import('./chdb-store.js');
        return createChdbStore({ path: config.path });
      } catch (cause) {
        // Waiting does not help: the usual reason is another process holding the directory.
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new SuyuanError(
          'startup_failed',
          `cannot open chDB in ${config.path}: ${message}. chDB lets one process use a data ` +
            'directory: is another Suyuan process (the running platform?) using it?',
          { cause },
        );
      }
    case 'clickhouse':
      return createClickHouseServerStore(config);
  }
}
