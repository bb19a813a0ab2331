/**
 * Registering the catalog in a schema registry, and a codec that carries the registry's ids.
 *
 * No schema registry can run on this machine: Confluent's is not published to Maven Central (nor
 * to any registry reachable here), and there is no Docker engine. So the registry below is a
 * stand-in, an in-test HTTP server implementing only what Suyuan calls, after Confluent's REST API:
 * POST /subjects/{subject}/versions with {"schema": "<json>"} answers {"id": n}; one schema text
 * gets one id across subjects; a refused subject answers 409 with {error_code, message}. Its ids
 * start at 101, so they cannot be mistaken for the catalog's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogEntries, type CatalogEntry } from '../../../../services/common/events/catalog.js';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import {
  createRegistryCodec,
  registerCatalog,
  subjectFor,
} from '../../../../services/common/events/schema-registry.js';
import { sampleEvents } from '../../../support/sample-events.js';
import { withShippedV2 } from '../../../support/schema-evolution.js';

interface Registration {
  readonly subject: string;
  readonly contentType: string | undefined;
  readonly schema: string;
}

interface StandInRegistry {
  readonly url: string;
  readonly registrations: Registration[];
  /** Subjects answered with 409 incompatible. */
  readonly refused: Set<string>;
  close(): Promise<void>;
}

async function startStandInRegistry(): Promise<StandInRegistry> {
  const registrations: Registration[] = [];
  const refused = new Set<string>();
  const idBySchema = new Map<string, number>();
  const reply = (response: import('node:http').ServerResponse, status: number, body: object) => {
    response.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    response.end(JSON.stringify(body));
  };
  const server: Server = createServer((request, response) => {
    const match = /^\/subjects\/([^/]+)\/versions$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match?.[1]) {
      return reply(response, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
    }
    const subject = decodeURIComponent(match[1]);
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const { schema } = JSON.parse(text) as { schema: string };
      registrations.push({ subject, contentType: request.headers['content-type'], schema });
      if (refused.has(subject)) {
        return reply(response, 409, {
          error_code: 409,
          message: `Schema being registered is incompatible with an earlier schema for subject "${subject}"`,
        });
      }
      const id = idBySchema.get(schema) ?? 101 + idBySchema.size;
      idBySchema.set(schema, id);
      reply(response, 200, { id });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    registrations,
    refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

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
    const ids = await registerCatalog(registry.url, entries);
    expect([...ids.keys()].sort((a, b) => a - b)).toEqual(
      entries.map((e) => e.id).sort((a, b) => a - b),
    );
    const byType = new Map(entries.map((entry) => [entry.eventType, entry]));
    expect(subjectFor(byType.get('BatchProduced') as CatalogEntry)).toBe(
      'suyuan.events-suyuan.events.BatchProduced',
    );
    for (const entry of entries) {
      const registration = registry.registrations.find((r) => r.subject === subjectFor(entry));
      expect(registration?.contentType).toBe('application/vnd.schemaregistry.v1+json');
      expect(JSON.parse(registration?.schema ?? 'null')).toEqual(entry.schema);
      expect(ids.get(entry.id)).toBeGreaterThan(100);
    }
  });

  it('writes the registry ids in the wire header and reads them back', async () => {
    const codec = await createRegistryCodec(registry.url);
    const ids = await registerCatalog(registry.url);
    for (const event of sampleEvents()) {
      const entry = catalogEntries().find((e) => e.eventType === event.eventType) as CatalogEntry;
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
    const newer = await createRegistryCodec(registry.url, withShippedV2(catalogEntries()));
    const shippedCarriesCarrier = registry.registrations
      .slice(before)
      .filter((r) => r.subject === 'suyuan.events-suyuan.events.BatchShipped')
      .map((r) => r.schema.includes('"carrier"'));
    expect(shippedCarriesCarrier).toEqual([false, true]);
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
