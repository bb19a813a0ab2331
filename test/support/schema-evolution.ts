import type { CatalogEntry } from '../../services/common/events/catalog.js';

/**
 * The catalog plus a BatchShipped v2 (v1 with an optional `carrier`, id 1000): a backward
 * compatible change, as a real schema evolution would add one.
 */
export function withShippedV2(entries: readonly CatalogEntry[]): CatalogEntry[] {
  const v1 = entries.find((entry) => entry.eventType === 'BatchShipped') as CatalogEntry;
  const v1Schema = v1.schema as { fields: object[] };
  const v2: CatalogEntry = {
    ...v1,
    id: 1000,
    version: 2,
    file: 'events/BatchShipped.v2.avsc',
    schema: {
      ...v1Schema,
      fields: [...v1Schema.fields, { name: 'carrier', type: ['null', 'string'], default: null }],
    },
  };
  return [...entries, v2];
}
