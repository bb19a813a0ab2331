import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (where `schemas/` and `infra/` live), found by walking up from this file,
 * so the same code runs from `services/` under tsx and from the compiled `dist/services/`.
 */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'schemas', 'catalog.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the Suyuan project root (schemas/catalog.json)');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
export const SCHEMAS_DIR = join(PROJECT_ROOT, 'schemas');
export const CLICKHOUSE_MIGRATIONS_DIR = join(PROJECT_ROOT, 'infra', 'clickhouse');
