/**
 * The in-repo schema catalog (schemas/catalog.json): stable ids for every published version of
 * every event schema. Ids are what the Confluent wire format carries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR } from '../project-paths.js';

export type AvroSchema = string | AvroSchema[] | { readonly [key: string]: unknown };

export interface CatalogEntry {
  readonly id: number;
  readonly eventType: string;
  readonly version: number;
  readonly file: string;
  /** SHA-256 of the schema's Parsing Canonical Form; a published schema never changes. */
  readonly fingerprint: string;
  readonly schema: AvroSchema;
}

function loadCatalog(): readonly CatalogEntry[] {
  const raw = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'catalog.json'), 'utf8')) as {
    schemas: Array<Omit<CatalogEntry, 'schema'>>;
  };
  return raw.schemas.map((entry) => ({
    ...entry,
    schema: JSON.parse(readFileSync(join(SCHEMAS_DIR, entry.file), 'utf8')) as AvroSchema,
  }));
}

let catalog: readonly CatalogEntry[] | undefined;

export function catalogEntries(): readonly CatalogEntry[] {
  catalog ??= loadCatalog();
  return catalog;
}

/** The newest version of each event type, in catalog order. */
export function latestSchemas(entries: readonly CatalogEntry[] = catalogEntries()): CatalogEntry[] {
  const latest = new Map<string, CatalogEntry>();
  for (const entry of entries) {
    const seen = latest.get(entry.eventType);
    if (!seen || entry.version > seen.version) latest.set(entry.eventType, entry);
  }
  return [...latest.values()];
}
