/**
 * Our Kafka topic as someone else's consumer reads it: the ingest and projector services over a
 * real broker in a namespace (KAFKA_NAMESPACE) with a schema registry (SCHEMA_REGISTRY_URL), and a
 * stock kafkajs consumer decoding the events with the stock Confluent deserializer
 * (@kafkajs/confluent-schema-registry), which looks every writer schema up by the id in the
 * message. The registry is a stand-in (test/support/schema-registry-stand-in.ts says why).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspected, produced } from '../../../support/event-builders.js';
import { requireKafka } from '../../../support/kafka-broker.js';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from '../../../support/platform.js';
import { pollUntil } from '../../../support/poll.js';
import {
  startStandInRegistry,
  type StandInRegistry,
} from '../../../support/schema-registry-stand-in.js';
import { spawnService, type ServiceProcess } from '../../../support/service-process.js';

describe('a stock Confluent consumer of our topic', { tags: ['kafka'] }, () => {
  let brokers: string[] = [];
  const namespace = `test-${randomUUID().slice(0, 8)}.`;
  const topic = `${namespace}suyuan.events`;
  const dirs: string[] = [];
  const services: ServiceProcess[] = [];
  let registry: StandInRegistry;
  let ingest: TestPlatform;
  let projector: ServiceProcess;
  let consumer: Consumer | undefined;

  const start = async (entry: string, name: string) => {
    const dataDir = await mkdtemp(join(tmpdir(), `suyuan-registry-${name}-`));
    dirs.push(dataDir);
    const service = await spawnService(
      entry,
      {
        PORT: '0',
        HOST: '127.0.0.1',
        SUYUAN_DATA_DIR: dataDir,
        SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
        EVENT_LOG: 'kafka',
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_NAMESPACE: namespace,
        KAFKA_TOPIC_PARTITIONS: '1',
        SCHEMA_REGISTRY_URL: registry.url,
        STARTUP_TIMEOUT_MS: '30000',
      },
      { name },
    );
    services.push(service);
    return { service, dataDir };
  };

  beforeAll(async () => {
    brokers = (await requireKafka()).brokers;
    registry = await startStandInRegistry();
    const started = await start('services/ingest/main.ts', 'ingest');
    ingest = clientFor(started.service.url, started.dataDir, () => Promise.resolve());
    // The projector keeps its own store: only its consumer group matters here.
    projector = (await start('services/projector/main.ts', 'projector')).service;
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await Promise.all(services.map((service) => service.stop()));
    await registry?.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('registers the schemas under subjects named after the namespaced topic', () => {
    const subjects = new Set(registry.registrations.map((r) => r.subject));
    expect(subjects).toContain(`${topic}-suyuan.events.BatchProduced`);
    expect([...subjects].filter((subject) => !subject.startsWith(`${topic}-`))).toEqual([]);
  });

  it('decodes every event it reads with the stock deserializer', async () => {
    const plant = await ingest.createParty('plant-registry');
    const events = [produced('REG-1'), inspected('REG-1', 'FAIL')];
    expect((await ingest.postEvents(plant, events)).status).toBe(202);

    const deserializer = new SchemaRegistry({ host: registry.url });
    const read: { id: number; value: Record<string, unknown> }[] = [];
    consumer = new Kafka({
      clientId: 'stock-reader',
      brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `${namespace}stock-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value as Buffer;
        read.push({ id: value.readUInt32BE(1), value: await deserializer.decode(value) });
      },
    });
    await pollUntil(() => read.length >= events.length, {
      what: 'the stock consumer to read both events',
      timeoutMs: 30_000,
      intervalMs: 50,
    });

    const [batch, inspection] = events;
    expect(read.map((message) => message.value)).toEqual([
      expect.objectContaining({
        eventId: batch!.eventId,
        eventTime: Date.parse(batch!.eventTime),
        party: 'plant-registry',
        batchId: 'REG-1',
        quantity: 100,
      }),
      expect.objectContaining({
        eventId: inspection!.eventId,
        batchId: 'REG-1',
        kind: 'THIRD_PARTY',
        result: 'FAIL',
        findings: [expect.objectContaining({ item: 'aflatoxin M1', value: '0.8' })],
      }),
    ]);
    // The id each message carries is the latest version of its subject.
    expect(await deserializer.getLatestSchemaId(`${topic}-suyuan.events.BatchProduced`)).toBe(
      read[0]!.id,
    );
  });

  it('labels the consumer lag with the topic and group as Kafka names them', async () => {
    const lag = await pollUntil(
      async () => {
        const text = await (await fetch(`${projector.url}/metrics`)).text();
        // The proof keeper's group reports from the same process; this is the projector's.
        return text
          .split('\n')
          .find(
            (line) =>
              /^suyuan_consumer_lag\{[^}]*\} 0$/.test(line) &&
              line.includes(`group="${namespace}suyuan-projector"`),
          );
      },
      { what: 'the projector to report its lag', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(lag).toContain(`topic="${topic}"`);
    expect(lag).toContain(`group="${namespace}suyuan-projector"`);
  });
});
