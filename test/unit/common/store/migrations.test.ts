/**
 * The store records which migration versions it applied (migrations.ts) and skips those: so each
 * version must name one file, or a store that applied one file of a version never runs the other
 * (two branches numbering their migration after the same last one did exactly that).
 */
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../../../services/common/store/migrations.js';

describe('the store migrations', () => {
  it('give every file a version of its own, numbered in order from 1', async () => {
    const migrations = await loadMigrations();
    const versions = migrations.map((migration) => migration.version);
    const repeated = migrations.filter((m, i) => versions.indexOf(m.version) !== i);
    expect(
      repeated.map((migration) => migration.name),
      'files sharing a version',
    ).toEqual([]);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });
});
