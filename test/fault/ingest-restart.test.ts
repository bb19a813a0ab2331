/**
 * A distributed ingest instance SIGKILLed and started again settles ids as before: what it
 * acknowledged is in the log, and its replica (services/ingest/ingest-replica.ts) reads it back
 * before the instance serves — resumed from where it stood, or, with its directory deleted, fed
 * again from the log's start. A retry is then a duplicate and another body under the same id a
 * conflict, though the memory of what it appended died with the process. Real Kafka, real
 * processes, through the gateway.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDistributedPlatform } from '../support/distributed-platform.js';
import { produced } from '../support/event-builders.js';
import { requireKafka } from '../support/kafka-broker.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('a distributed ingest instance started again after SIGKILL', { tags: ['kafka'] }, () => {
  it(
    'answers a retry as a duplicate and another body under its id as a conflict, its replica resumed or rebuilt',
    { timeout: 300_000 },
    async () => {
      const { brokers } = await requireKafka();
      const platform = await startDistributedPlatform(brokers);
      cleanups.push(() => platform.stop());
      const key = await platform.createParty('plant-7');
      // A log longer than one fetch of each partition, so that reading it back takes a while.
      for (let request = 0; request < 30; request += 1) {
        const filler = Array.from({ length: 1000 }, (_, i) => produced(`FILL-${request}-${i}`));
        expect((await platform.postEvents(key, filler)).status).toBe(202);
      }
      const events = [produced('KILLED-1'), produced('KILLED-2'), produced('KILLED-3')];
      const ids = events.map((event) => event.eventId);
      const answered = (status: string) => ({
        results: ids.map((eventId) => ({ eventId, status })),
      });
      expect((await platform.postEvents(key, events)).body).toEqual(answered('accepted'));

      await platform.services.ingest.kill();
      await platform.restart('ingest');
      expect((await platform.postEvents(key, events)).body).toEqual(answered('duplicate'));

      await platform.services.ingest.kill();
      const dataDir = platform.serviceEnv.SUYUAN_DATA_DIR ?? '';
      await rm(join(dataDir, 'ingest-replica'), { recursive: true, force: true });
      await platform.restart('ingest');
      expect((await platform.postEvents(key, events)).body).toEqual(answered('duplicate'));
      const changed = { ...events[0], quantity: 999 };
      const conflict = await platform.postEvents(key, [changed]);
      expect(conflict.status).toBe(409);
      expect(JSON.stringify(conflict.body)).toContain(`eventId: ${ids[0]}`);
    },
  );
});
