import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLICKHOUSE_MIGRATIONS_DIR } from '../project-paths.js';
import type { Logger } from '../logger.js';
import type { Store } from './store.js';

export const MIGRATIONS_DIR = CLICKHOUSE_MIGRATIONS_DIR;

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** `0001_name.sql` files, applied in version order; statements are separated by `;` at a line end. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const statements = text
        .split(/;\s*$/m)
        .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
        .filter((statement) => statement.length > 0);
      return { version: Number(file.slice(0, 4)), name: file, statements };
    }),
  );
}

/** Applies the migrations the store has not seen yet. Statements are idempotent (IF NOT EXISTS). */
export async function migrate(store: Store, logger: Logger, dir = MIGRATIONS_DIR): Promise<number> {
  await store.command(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC')
  ) ENGINE = ReplacingMergeTree ORDER BY version`);
  const applied = new Set(
    (await store.query<{ version: number }>('SELECT version FROM schema_migrations FINAL')).map(
      (row) => row.version,
    ),
  );
  let count = 0;
  for (const migration of await loadMigrations(dir)) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) await store.command(statement);
    await store.insert('schema_migrations', [
      { version: migration.version, name: migration.name, applied_at: new Date().toISOString() },
    ]);
    logger.info({ migration: migration.name }, 'applied store migration');
    count += 1;
  }
  return count;
}
