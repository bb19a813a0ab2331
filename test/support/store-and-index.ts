/**
 * A real chDB store, migrated, and an LMDB serving index side by side in a temporary directory:
 * what the tests that compare or combine the two open in `beforeAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../services/common/logger.js';
import {
  openLmdbServingIndex,
  type LmdbServingIndex,
} from '../../services/common/serving/lmdb-serving-index.js';
import { createChdbStore } from '../../services/common/store/chdb-store.js';
import { migrate } from '../../services/common/store/migrations.js';
import type { Store } from '../../services/common/store/store.js';

export interface StoreAndIndex {
  readonly store: Store;
  readonly serving: LmdbServingIndex;
  /** Closes both and removes the directory. */
  close(): Promise<void>;
}

export async function openStoreAndIndex(prefix: string): Promise<StoreAndIndex> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, createLogger({ level: 'silent', pretty: false }));
  const serving = openLmdbServingIndex({ path: join(dir, 'serving') });
  return {
    store,
    serving,
    async close() {
      await serving.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TempServingIndex {
  readonly serving: LmdbServingIndex;
  /** Closes the index and removes its directory. */
  close(): Promise<void>;
}

/** An LMDB serving index alone in a temporary directory, for tests that need no store. */
export function openTempServingIndex(prefix: string): TempServingIndex {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const serving = openLmdbServingIndex({ path: dir });
  return {
    serving,
    async close() {
      await serving.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
