/**
 * A distributed ingest instance's replica (services/ingest/ingest-replica.ts): the event index and
 * the write rules' reads in LMDB, fed from real Kafka by a consumer of its own. It must hold the
 * log as it stood before the instance serves, answer the rules as the store does, see this
 * instance's appends at once and other instances' once it has read them, and resume or rebuild
 * from where it stands. Real Kafka, real LMDB, real chDB for the store's answers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { fingerprintEvent } from '../../../services/common/events/fingerprint.js';
import { logRecordOf } from '../../../services/common/events/log-record.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createLogger } from '../../../services/common/logger.js';
import { projectEvents } from '../../../services/common/projection/projection.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { EVENTS_TOPIC } from '../../../services/common/topics.js';
import { openIngestReplica, type IngestReplica } from '../../../services/ingest/ingest-replica.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { storeRuleReads } from '../../../services/ingest/rule-reads.js';
import {
  produced,
  recallClosed,
  recallInitiated,
  retracted,
} from '../../support/event-builders.js';
import { requireKafka } from '../../support/kafka-broker.js';
import { pollUntil } from '../../support/poll.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();

let stamped = 0;
/** An event as ingest appends it: validated as `party`, stamped a second after the one before. */
const logged = (party: string, body: object): SuyuanEvent => ({
  ...parseSubmission(body, party)[0]!,
  recordedAt: new Date(Date.UTC(2026, 11, 6) + 1_000 * ++stamped).toISOString(),
});

describe('ingest replica', { tags: ['kafka'] }, () => {
  let dir: string;
  let log: EventLog;
  let store: Store;
  const replicas: IngestReplica[] = [];
  const open = async (path: string) => {
    const replica = await openIngestReplica({ log, codec, path, logger });
    replicas.push(replica);
    return replica;
  };
  const stop = async (replica: IngestReplica) => {
    replicas.splice(replicas.indexOf(replica), 1);
    await replica.stop();
  };
  const append = (events: readonly SuyuanEvent[]) =>
    log.append(
      EVENTS_TOPIC,
      events.map((event) => logRecordOf(event, codec)),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-ingest-replica-'));
    log = createEventLog(
      {
        kind: 'kafka',
        brokers: (await requireKafka()).brokers,
        clientId: 'ingest-replica-test',
        partitions: 3,
        replicationFactor: 1,
        namespace: `test-${randomUUID().slice(0, 8)}.`,
      },
      logger,
    );
    store = createChdbStore({ path: join(dir, 'store') });
    await migrate(store, logger);
  });

  afterAll(async () => {
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    await log?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'holds the log as it stood before it opens, and answers the write rules as the store does',
    { timeout: 120_000 },
    async () => {
      const wrong = logged('plant-1', produced('MILK-X'));
      const history = [
        logged('plant-1', produced('MILK-1')),
        logged('plant-1', produced('MILK-2')),
        // A competing claim on MILK-1, recorded later: the first counts.
        logged('plant-2', produced('MILK-1')),
        wrong,
        logged('plant-1', retracted(wrong.eventId)),
        logged('plant-1', recallInitiated('R-OPEN', ['MILK-1'], 'VOLUNTARY')),
        logged('samr', recallInitiated('R-CLOSED', ['MILK-2'], 'ORDERED')),
        logged('samr', recallClosed('R-CLOSED')),
      ];
      await append(history);
      for (const [table, rows] of Object.entries(projectEvents(history))) {
        if (rows.length > 0) await store.insert(table, rows);
      }

      const replica = await open(join(dir, 'first'));
      // Its group commits each batch once applied: /metrics reports the instance's lag from it.
      const ends = await log.endOffsets(EVENTS_TOPIC);
      await pollUntil(
        async () => {
          const committed = await log.committedOffsets(EVENTS_TOPIC, replica.group);
          return [...ends].every(([partition, end]) => committed.get(partition) === end);
        },
        { timeoutMs: 30_000, what: "the replica's group to commit the log's end" },
      );

      // No waiting: every event appended before it opened is in it.
      const found = await replica.index.find(history.map((event) => event.eventId));
      expect(
        history.map((event) => found.get(event.eventId)),
        'event index entries',
      ).toEqual(
        history.map((event) => ({
          eventId: event.eventId,
          bodyHash: fingerprintEvent(event),
          party: event.party,
        })),
      );
      const storeReads = storeRuleReads(store);
      const batches = ['MILK-1', 'MILK-2', 'MILK-X', 'NONE'];
      expect(await replica.reads.batches(batches)).toEqual(await storeReads.batches(batches));
      expect((await replica.reads.batches(['MILK-1']))[0]?.producer).toBe('plant-1');
      for (const [recallId, except] of [
        ['R-OPEN', 'another event'],
        ['R-OPEN', history[5]!.eventId],
        ['R-NONE', 'another event'],
      ] as const) {
        expect(await replica.reads.recallIdUsed(recallId, except), recallId).toBe(
          await storeReads.recallIdUsed(recallId, except),
        );
      }
      const recalls = ['R-OPEN', 'R-CLOSED', 'R-NONE'];
      expect(await replica.reads.liveRecallIds(recalls)).toEqual(
        await storeReads.liveRecallIds(recalls),
      );
      expect(await replica.reads.openRecallsNaming(batches)).toEqual(
        await storeReads.openRecallsNaming(batches),
      );
      expect(await replica.reads.openRecallsNaming(batches)).toEqual([
        { batchId: 'MILK-1', recallId: 'R-OPEN' },
      ]);

      // Its group is new at each start: a clean stop leaves none behind.
      await stop(replica);
      expect(await log.committedOffsets(EVENTS_TOPIC, replica.group)).toEqual(new Map());
    },
  );

  it(
    "sees this instance's appends at once, and another instance's once it has read them",
    { timeout: 120_000 },
    async () => {
      const replica = await open(join(dir, 'second'));
      const own = logged('plant-1', produced('OWN-1'));
      const entry = { eventId: own.eventId, bodyHash: fingerprintEvent(own), party: 'plant-1' };
      expect(await replica.index.find([own.eventId])).toEqual(new Map());

      // This instance appends and records it: a retry through it is a duplicate at once.
      await append([own]);
      await replica.index.record([entry], own.recordedAt);
      expect(await replica.index.find([own.eventId])).toEqual(new Map([[own.eventId, entry]]));

      // Another instance appends: this one knows the event once its consumer read it.
      const theirs = logged('plant-2', produced('THEIRS-1'));
      await append([theirs]);
      const seen = await pollUntil(
        async () => (await replica.index.find([theirs.eventId])).get(theirs.eventId),
        { timeoutMs: 30_000, what: "the other instance's event in the replica" },
      );
      expect(seen).toEqual({
        eventId: theirs.eventId,
        bodyHash: fingerprintEvent(theirs),
        party: 'plant-2',
      });
      expect(await replica.reads.batches(['THEIRS-1'])).toHaveLength(1);
      expect(await replica.index.find([own.eventId])).toEqual(new Map([[own.eventId, entry]]));
    },
  );

  it(
    'resumes where it stands when reopened, and is fed again from the log when deleted',
    { timeout: 120_000 },
    async () => {
      const path = join(dir, 'third');
      const before = logged('plant-1', produced('BEFORE-1'));
      await append([before]);
      const first = await open(path);
      await stop(first);

      const whileStopped = logged('plant-1', produced('STOPPED-1'));
      await append([whileStopped]);
      const ids = [before.eventId, whileStopped.eventId];
      const reopened = await open(path);
      expect([...(await reopened.index.find(ids)).keys()].sort()).toEqual([...ids].sort());
      await stop(reopened);

      await rm(path, { recursive: true, force: true });
      const rebuilt = await open(path);
      expect([...(await rebuilt.index.find(ids)).keys()].sort()).toEqual([...ids].sort());
      expect(await rebuilt.reads.batches(['BEFORE-1', 'STOPPED-1'])).toHaveLength(2);
    },
  );
});
