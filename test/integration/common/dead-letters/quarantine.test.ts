/**
 * An operator's quarantine (issue 13), on both log adapters: the projector and the recall service
 * skip a quarantined record and move it to the dead-letter topic, each under its own name, and go
 * on with the rest; the record's view says who quarantined it and why. Real log, real chDB, the
 * real projector and recall service; on the embedded log also with the memory of what to skip that
 * the embedded platform keeps (dead-letters/set-aside-memory.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inspectLogRecord,
  quarantineLogRecord,
} from '../../../../services/common/dead-letters/log-inspection.js';
import { createSetAsideMemory } from '../../../../services/common/dead-letters/set-aside-memory.js';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../../services/common/events/event-types.generated.js';
import { logKeyOf } from '../../../../services/common/events/keys.js';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../../services/common/log/event-log.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';
import {
  EVENTS_DEAD_LETTER_TOPIC,
  EVENTS_TOPIC,
  PROJECTOR_GROUP,
  RECALL_GROUP,
} from '../../../../services/common/topics.js';
import { createStoreTraceReads } from '../../../../services/common/trace/store-trace-reads.js';
import { parseSubmission } from '../../../../services/ingest/parse-submission.js';
import { startProjector } from '../../../../services/projector/projector.js';
import { DEFAULT_RECALL_POLICY } from '../../../../services/common/recall-policy.js';
import { startRecallService } from '../../../../services/recall/recall-service.js';
import { inspected, produced } from '../../../support/event-builders.js';
import { requireKafka } from '../../../support/kafka-broker.js';
import { pollUntil } from '../../../support/poll.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-quarantine-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, logger);
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Events as ingest logs them. */
const logged = (body: Record<string, unknown>, party: string): SuyuanEvent => ({
  ...parseSubmission(body, party)[0]!,
  recordedAt: new Date().toISOString(),
});

const embeddedLog = (namespace: string) =>
  createEventLog({ kind: 'embedded', path: join(dir, `${namespace}.sqlite`) }, logger);

/** Each log adapter, and whether the process keeps what to skip in memory (the embedded platform). */
const adapters: Array<
  [string, string[], (namespace: string) => EventLog | Promise<EventLog>, boolean]
> = [
  ['the embedded log', [], embeddedLog, false],
  ['the embedded log, with the sole writer’s memory', [], embeddedLog, true],
  [
    'Kafka',
    ['kafka'],
    async (namespace) =>
      createEventLog(
        {
          kind: 'kafka',
          brokers: (await requireKafka()).brokers,
          clientId: 'quarantine-test',
          partitions: 3,
          replicationFactor: 1,
          namespace: `${namespace}.`,
        },
        logger,
      ),
    false,
  ],
];

describe.each(adapters)('a quarantined record on %s', (_name, tags, openLog, inMemory) => {
  it(
    'is skipped and dead-lettered by the projector and the recall service, which go on with the rest',
    { timeout: 120_000, tags },
    async () => {
      const run = randomUUID().slice(0, 8);
      const log = await openLog(`quarantine-${run}`);
      // Both adapters share this store, and records are named by topic, partition and offset.
      await store.command('TRUNCATE TABLE quarantined_offsets');
      await store.command('TRUNCATE TABLE dead_letters');
      const lots = [`Q-${run}`, `R-${run}`];
      const events = lots.flatMap((lot) => [
        logged(produced(lot), 'plant-1'),
        logged(
          { ...inspected(lot, 'FAIL', 'SUPERVISORY_SAMPLING'), inspectionId: `I-${lot}` },
          'samr',
        ),
      ]);
      const receipts = await log.append(
        EVENTS_TOPIC,
        events.map((event) => ({ key: logKeyOf(event), value: codec.encode(event) })),
      );
      // The failed sampling of the first lot: without the quarantine it would order a recall.
      const position = { topic: EVENTS_TOPIC, ...receipts[1]! };
      const reason = `sampled the wrong lot (${run})`;
      const setAsideMemory = inMemory ? createSetAsideMemory(store) : undefined;
      // Loaded before the quarantine, as in a running platform: the quarantine must be noted.
      await setAsideMemory?.among({ ...position, from: 0, to: 0 }, '');
      await quarantineLogRecord({ log, store, codec, setAsideMemory }, position, {
        reason,
        actor: 'admin',
      });

      const projector = await startProjector({
        log,
        store,
        codec,
        logger,
        batchSize: 100,
        setAsideMemory,
      });
      const recalls = await startRecallService({
        log,
        store,
        setAsideMemory,
        codec,
        reads: createStoreTraceReads(store),
        logger,
        policy: DEFAULT_RECALL_POLICY,
        systemPartyId: 'suyuan',
      });
      try {
        const passedBy = async (group: string) => {
          const committed = await log.committedOffsets(EVENTS_TOPIC, group);
          return receipts.every(
            ({ partition, offset }) => (committed.get(partition) ?? 0) > offset,
          );
        };
        await pollUntil(async () => (await passedBy(PROJECTOR_GROUP)) && passedBy(RECALL_GROUP), {
          timeoutMs: 60_000,
          what: 'both consumers to pass every record',
        });
        const opened = await pollUntil(
          async () => {
            const rows = await store.query<{ recall_id: string }>(
              'SELECT recall_id FROM recalls FINAL WHERE recall_id IN {ids:Array(String)}',
              { ids: lots.map((lot) => `RC-I-${lot}`) },
            );
            return rows.length > 0 ? rows.map((row) => row.recall_id) : undefined;
          },
          { timeoutMs: 30_000, what: 'the recall the other failed sampling orders' },
        );
        expect(opened).toEqual([`RC-I-${lots[1]}`]);
        const [row] = await store.query<{ n: number }>(
          'SELECT count() AS n FROM events FINAL WHERE event_id = {id:String}',
          { id: events[1]!.eventId },
        );
        expect(row?.n).toBe(0);

        const deadForIt = (
          await Promise.all(
            [...(await log.endOffsets(EVENTS_DEAD_LETTER_TOPIC)).keys()].map((partition) =>
              log.read(EVENTS_DEAD_LETTER_TOPIC, { partition, fromOffset: 0, maxRecords: 100 }),
            ),
          )
        )
          .flat()
          .filter((record) => record.headers['source-offset'] === String(position.offset));
        expect(
          deadForIt
            .map((record) => record.headers)
            .sort((a, b) => (a.consumer! < b.consumer! ? -1 : 1)),
        ).toEqual([
          expect.objectContaining({
            consumer: PROJECTOR_GROUP,
            cause: 'quarantined',
            error: `quarantined: ${reason}`,
          }),
          expect.objectContaining({
            consumer: RECALL_GROUP,
            cause: 'quarantined',
            error: `quarantined: ${reason}`,
          }),
        ]);

        const view = await inspectLogRecord({ log, store, codec }, position);
        expect(view).toMatchObject({
          event: { eventId: events[1]!.eventId },
          quarantine: { reason, actor: 'admin' },
          consumers: [
            { group: PROJECTOR_GROUP, passed: true },
            { group: RECALL_GROUP, passed: true },
          ],
        });
        expect(view.deadLetters.map((entry) => [entry.consumer, entry.cause]).sort()).toEqual([
          [PROJECTOR_GROUP, 'quarantined'],
          [RECALL_GROUP, 'quarantined'],
        ]);
      } finally {
        await recalls.stop();
        await projector.stop();
        await log.close();
      }
    },
  );
});
