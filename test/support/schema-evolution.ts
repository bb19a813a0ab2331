import type { CatalogEntry } from '../../services/common/events/catalog.js';

/**
 * The catalog plus one more BatchShipped version (the latest with an optional `carrier`, id
 * 1000): a backward compatible change, as a real schema evolution would add one.
 */
export function withShippedV2(entries: readonly CatalogEntry[]): CatalogEntry[] {
  const latest = entries
    .filter((entry) => entry.eventType === 'BatchShipped')
    .sort((a, b) => b.version - a.version)[0] as CatalogEntry;
  const schema = latest.schema as { fields: object[] };
  const next: CatalogEntry = {
    ...latest,
    id: 1000,
    version: latest.version + 1,
    file: `events/BatchShipped.v${latest.version + 1}.avsc`,
    schema: {
      ...schema,
      fields: [...schema.fields, { name: 'carrier', type: ['null', 'string'], default: null }],
    },
  };
  return [...entries, next];
}
