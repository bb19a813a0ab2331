/**
 * Registering the catalog in a schema registry, and a codec that carries the registry's ids.
 * The registry is a stand-in (test/support/schema-registry-stand-in.ts says why).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogEntries,
  latestSchemas,
  type CatalogEntry,
} from '../../../../services/common/events/catalog.js';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import {
  createRegistryCodec,
  registerCatalog,
  subjectFor,
} from '../../../../services/common/events/schema-registry.js';
import { sampleEvents } from '../../../support/sample-events.js';
import { withShippedV2 } from '../../../support/schema-evolution.js';
import {
  startStandInRegistry,
  type StandInRegistry,
} from '../../../support/schema-registry-stand-in.js';

describe('schema registry (SCHEMA_REGISTRY_URL)', () => {
  let registry: StandInRegistry;
  beforeAll(async () => {
    registry = await startStandInRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('registers every catalog schema under <topic>-<record name> and returns the registry ids', async () => {
    const entries = catalogEntries();
    const ids = await registerCatalog(registry.url, { entries });
    expect([...ids.keys()].sort((a, b) => a - b)).toEqual(
      entries.map((e) => e.id).sort((a, b) => a - b),
    );
    const byType = new Map(entries.map((entry) => [entry.eventType, entry]));
    expect(subjectFor(byType.get('BatchProduced') as CatalogEntry)).toBe(
      'suyuan.events-suyuan.events.BatchProduced',
    );
    for (const entry of entries) {
      const registration = registry.registrations.find(
        (r) => r.subject === subjectFor(entry) && r.schema === JSON.stringify(entry.schema),
      );
      expect(registration?.contentType, entry.file).toBe('application/vnd.schemaregistry.v1+json');
      expect(ids.get(entry.id)).toBeGreaterThan(100);
    }
    expect(new Set(entries.map((entry) => ids.get(entry.id))).size).toBe(entries.length);
  });

  it('writes the registry ids in the wire header and reads them back', async () => {
    const codec = await createRegistryCodec(registry.url);
    const ids = await registerCatalog(registry.url);
    for (const event of sampleEvents()) {
      const entry = latestSchemas().find((e) => e.eventType === event.eventType) as CatalogEntry;
      const message = codec.encode(event);
      expect(codec.schemaIdOf(message)).toBe(ids.get(entry.id));
      expect(codec.schemaIdOf(message)).not.toBe(entry.id);
      expect(codec.decode(message)).toEqual(event);
    }
    // A codec on catalog ids does not take registry ids for its own.
    const shipped = sampleEvents().find((event) => event.eventType === 'BatchShipped');
    expect(() => createEventCodec().decode(codec.encode(shipped!))).toThrow(/unknown schema id/);
  });

  it('registers versions oldest first and resolves an older writer id into the newer reader', async () => {
    const before = registry.registrations.length;
    const newer = await createRegistryCodec(registry.url, {
      entries: withShippedV2(catalogEntries()),
    });
    const shippedCarriesCarrier = registry.registrations
      .slice(before)
      .filter((r) => r.subject === 'suyuan.events-suyuan.events.BatchShipped')
      .map((r) => r.schema.includes('"carrier"'));
    // Every published version, oldest first, then the new one with the carrier.
    const published = catalogEntries().filter((entry) => entry.eventType === 'BatchShipped');
    expect(shippedCarriesCarrier).toEqual([...published.map(() => false), true]);
    const older = await createRegistryCodec(registry.url);
    const shipped = sampleEvents().find((event) => event.eventType === 'BatchShipped')!;
    const writtenByOlder = older.encode(shipped);
    expect(newer.decode(writtenByOlder)).toEqual({ ...shipped, carrier: null });
    expect(newer.schemaIdOf(newer.encode(shipped))).not.toBe(older.schemaIdOf(writtenByOlder));
  });

  it('fails start naming SCHEMA_REGISTRY_URL and the subject when the registry refuses a schema', async () => {
    const subject = 'suyuan.events-suyuan.events.InspectionRecorded';
    registry.refused.add(subject);
    try {
      await expect(createRegistryCodec(registry.url)).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringMatching(
          new RegExp(
            `SCHEMA_REGISTRY_URL.*${subject.replace(/\./g, '\\.')}.*HTTP 409.*incompatible`,
          ),
        ),
      });
    } finally {
      registry.refused.delete(subject);
    }
  });

  it('fails start naming SCHEMA_REGISTRY_URL when no registry answers', async () => {
    const gone = await startStandInRegistry();
    await gone.close();
    await expect(createRegistryCodec(gone.url)).rejects.toThrow(
      /could not reach the schema registry at http:\/\/127\.0\.0\.1:\d+ \(SCHEMA_REGISTRY_URL\)/,
    );
  });
});
