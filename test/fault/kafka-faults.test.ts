/**
 * Faults on real Kafka with every service in its own process: a projector killed with SIGKILL in
 * the middle of a stream, and the broker stopped and restarted while ingest is posting.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../services/common/events/codec.js';
import { createEventLog } from '../../services/common/log/create-event-log.js';
import { logKeyOf } from '../../services/common/events/keys.js';
import { parseSubmission } from '../../services/ingest/parse-submission.js';
import type { StoredRecord } from '../../services/common/log/event-log.js';
import { createClickHouseServerStore } from '../../services/common/store/clickhouse-server-store.js';
import type { Store } from '../../services/common/store/store.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../../services/common/topics.js';
import { pino } from 'pino';
import {
  startDistributedPlatform,
  type DistributedPlatform,
} from '../support/distributed-platform.js';
import { produced } from '../support/event-builders.js';
import { requireKafka } from '../support/kafka-broker.js';
import { ownKafkaBroker, type OwnKafkaBroker } from '../support/own-kafka-broker.js';
import { pollUntil } from '../support/poll.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function storeOf(platform: DistributedPlatform): Promise<Store> {
  const store = await createClickHouseServerStore({
    url: platform.serviceEnv.CLICKHOUSE_URL ?? '',
    username: 'default',
    password: '',
    database: 'default',
  });
  cleanups.push(() => store.close());
  return store;
}

/** A log client in the platform's namespace, as the services see it. */
function logOf(platform: DistributedPlatform, brokers: string[]) {
  return createEventLog(
    {
      kind: 'kafka',
      brokers,
      clientId: 'fault-test',
      partitions: 3,
      replicationFactor: 1,
      namespace: platform.serviceEnv.KAFKA_NAMESPACE ?? '',
    },
    pino({ level: 'silent' }),
  );
}

/** Every record of a topic, read outside any group. */
async function readAll(
  platform: DistributedPlatform,
  brokers: string[],
  topic = EVENTS_TOPIC,
): Promise<StoredRecord[]> {
  const log = logOf(platform, brokers);
  try {
    const records: StoredRecord[] = [];
    for (const [partition, end] of await log.endOffsets(topic)) {
      for (let offset = 0; offset < end;) {
        const chunk = await log.read(topic, { partition, fromOffset: offset, maxRecords: 5_000 });
        if (chunk.length === 0) break;
        records.push(...chunk);
        offset = (chunk.at(-1)?.offset ?? offset) + 1;
      }
    }
    return records;
  } finally {
    await log.close();
  }
}

describe('distributed mode on real Kafka', { tags: ['kafka'] }, () => {
  it(
    'projects every acknowledged event exactly once when the projector is killed mid-stream, and dead-letters a poison message',
    { timeout: 300_000 },
    async () => {
      const { brokers } = await requireKafka();
      const platform = await startDistributedPlatform(brokers, { PROJECTOR_BATCH_SIZE: '500' });
      cleanups.push(() => platform.stop());
      const store = await storeOf(platform);
      const key = await platform.createParty('plant-1');
      const acknowledged = new Set<string>();
      const projectedCount = async () =>
        (
          await store.query<{ n: number }>(
            "SELECT count() AS n FROM batches FINAL WHERE batch_id LIKE 'F-%'",
          )
        )[0]?.n ?? 0;

      for (let request = 0; request < 20; request += 1) {
        const events = Array.from({ length: 1_000 }, (_, i) => produced(`F-${request}-${i}`));
        const response = await platform.postEvents(key, events);
        expect(response.status).toBe(202);
        for (const event of events) acknowledged.add(event.eventId);
        if (request === 5) {
          // Kill it once it is part-way through what was posted so far.
          await pollUntil(async () => (await projectedCount()) > 0, {
            timeoutMs: 60_000,
            what: 'the projector to start writing',
          });
          await platform.services.projector.kill();
        }
      }
      expect(acknowledged.size).toBe(20_000);
      await platform.startInstance('projector');

      const projected = await pollUntil(
        async () => ((await projectedCount()) === 20_000 ? 20_000 : undefined),
        { timeoutMs: 180_000, intervalMs: 500, what: '20 000 projected batches' },
      );
      expect(projected).toBe(20_000);
      const [events] = await store.query<{ total: number; distinct: number }>(
        `SELECT count() AS total, uniqExact(event_id) AS distinct
         FROM events FINAL WHERE event_type = 'BatchProduced'`,
      );
      // Exactly once as readers see it: each acknowledged event is one row, none missing.
      expect(events).toEqual({ total: 20_000, distinct: 20_000 });
      const trace = await platform.request<{ batch: { batchId: string } }>(
        'GET',
        '/v1/batches/F-7-7',
        { key },
      );
      expect(trace.status).toBe(200);

      // A poison message (bytes that are not Avro) goes to the dead-letter topic, named by its
      // source, and the stream goes on.
      const log = logOf(platform, brokers);
      cleanups.push(() => log.close());
      const [poison] = await log.append(EVENTS_TOPIC, [
        { key: 'POISON', value: Buffer.from('this is not avro') },
      ]);
      const after = produced('F-after-poison');
      expect((await platform.postEvents(key, [after])).status).toBe(202);
      await platform.waitForBatch(key, 'F-after-poison');
      const dead = await pollUntil(
        async () => (await readAll(platform, brokers, EVENTS_DEAD_LETTER_TOPIC)).at(0),
        { timeoutMs: 30_000, what: 'the poison message in the dead-letter topic' },
      );
      expect(String(dead.value)).toBe('this is not avro');
      expect(dead.headers).toMatchObject({
        'source-topic': EVENTS_TOPIC,
        'source-partition': String(poison?.partition),
        'source-offset': String(poison?.offset),
      });
      expect(dead.headers.error).toMatch(/\S/);
    },
  );

  it(
    'shares the work among two ingest and two projector instances, projecting each event once',
    { timeout: 300_000 },
    async () => {
      const { brokers } = await requireKafka();
      const platform = await startDistributedPlatform(brokers, { PROJECTOR_BATCH_SIZE: '200' });
      cleanups.push(() => platform.stop());
      const store = await storeOf(platform);
      const secondIngest = await platform.startInstance('ingest');
      const secondProjector = await platform.startInstance('projector');
      const key = await platform.createParty('plant-3');
      const ingests = [platform.services.ingest.url, secondIngest.url];
      const total = 6_000;
      for (let request = 0; request < total / 500; request += 1) {
        const events = Array.from({ length: 500 }, (_, i) => produced(`S-${request}-${i}`));
        const response = await fetch(`${ingests[request % 2]}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        expect(response.status).toBe(202);
      }
      const projected = await pollUntil(
        async () => {
          const [row] = await store.query<{ total: number; distinct: number }>(
            `SELECT count() AS total, uniqExact(event_id) AS distinct
             FROM events FINAL WHERE event_type = 'BatchProduced'`,
          );
          return row?.total === total ? row : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: `${total} projected events` },
      );
      expect(projected).toEqual({ total, distinct: total });
      // Both projectors took part: each wrote batches from the partitions it was given.
      for (const projector of [platform.services.projector, secondProjector]) {
        const text = await (await fetch(`${projector.url}/metrics`)).text();
        const batches = /^suyuan_projection_batch_size_count\{[^}]*\} (\d+)$/m.exec(text)?.[1];
        expect(Number(batches), projector.name).toBeGreaterThan(0);
      }
    },
  );

  it(
    'pauses the projector while the store is down and resumes without loss',
    { timeout: 300_000 },
    async () => {
      const { brokers } = await requireKafka();
      const platform = await startDistributedPlatform(brokers, { PROJECTOR_BATCH_SIZE: '100' });
      cleanups.push(() => platform.stop());
      // The store goes away; events keep arriving in the log (written there directly, since
      // ingest needs the store too) …
      await platform.killStore();
      const total = 3_000;
      const codec = createEventCodec();
      const recordedAt = new Date().toISOString();
      const events = Array.from({ length: total }, (_, i) => produced(`D-${i}`)).flatMap((event) =>
        parseSubmission(event, 'plant-4').map((parsed) => ({ ...parsed, recordedAt })),
      );
      const log = logOf(platform, brokers);
      cleanups.push(() => log.close());
      await log.append(
        EVENTS_TOPIC,
        events.map((event) => ({ key: logKeyOf(event), value: codec.encode(event) })),
      );
      // … and the projector fails its batches, committing nothing, until the store is back.
      await pollUntil(() => /store request failed/.test(platform.services.projector.output()), {
        timeoutMs: 60_000,
        what: 'the projector to meet the store down',
      });
      await platform.startStore();
      const store = await storeOf(platform);
      const projected = await pollUntil(
        async () => {
          const [row] = await store.query<{ n: number }>(
            "SELECT count() AS n FROM batches FINAL WHERE batch_id LIKE 'D-%'",
          );
          return row?.n === total ? row.n : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: `${total} projected batches` },
      );
      expect(projected).toBe(total);
    },
  );

  it(
    'answers 503 while the broker is down, never 202 for an event it did not store',
    { timeout: 300_000, tags: ['own-kafka'] },
    async () => {
      let broker: OwnKafkaBroker | undefined = await ownKafkaBroker(29_192);
      cleanups.push(async () => broker?.destroy());
      const platform = await startDistributedPlatform(broker.brokers);
      cleanups.push(() => platform.stop());
      const key = await platform.createParty('plant-2');

      const acknowledged = new Set<string>();
      const statuses = new Map<number, number>();
      let posting = true;
      let request = 0;
      const poster = async () => {
        while (posting) {
          const events = Array.from({ length: 50 }, (_, i) => produced(`B-${request}-${i}`));
          request += 1;
          const response = await platform.postEvents(key, events);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 202) for (const event of events) acknowledged.add(event.eventId);
          else expect(response.status).toBe(503);
        }
      };
      const posters = [poster(), poster()];
      await pollUntil(() => acknowledged.size >= 500, {
        timeoutMs: 60_000,
        what: '500 acknowledged events',
      });
      await broker.stop();
      await pollUntil(() => (statuses.get(503) ?? 0) >= 2, {
        timeoutMs: 90_000,
        what: 'ingest to answer 503 with the broker down',
      });
      const beforeRestart = acknowledged.size;
      await broker.start();
      // How soon the projector consumes again once the broker is back: its first commit after.
      const restarted = performance.now();
      const log = logOf(platform, broker.brokers);
      cleanups.push(() => log.close());
      const projected = () => log.committedOffsets(EVENTS_TOPIC, 'suyuan-projector');
      const committedAtRestart = await projected();
      const resumedMs = await pollUntil(
        async () =>
          [...(await projected())].some(([p, o]) => o > (committedAtRestart.get(p) ?? 0))
            ? Math.round(performance.now() - restarted)
            : undefined,
        { timeoutMs: 60_000, intervalMs: 50, what: 'the projector to commit again' },
      );
      console.info(`[broker restart] the projector committed again ${resumedMs} ms after`);
      expect(resumedMs).toBeLessThan(8_000);
      await pollUntil(() => acknowledged.size >= beforeRestart + 500, {
        timeoutMs: 120_000,
        what: 'ingest to accept events again after the broker restarted',
      });
      posting = false;
      await Promise.all(posters);

      const codec = createEventCodec();
      const stored = new Set(
        (await readAll(platform, broker.brokers)).map(
          (record) => codec.decode(record.value).eventId,
        ),
      );
      const lost = [...acknowledged].filter((eventId) => !stored.has(eventId));
      expect(lost).toEqual([]);
      expect(statuses.get(503)).toBeGreaterThan(0);
      await broker.destroy();
      broker = undefined;
    },
  );
});
