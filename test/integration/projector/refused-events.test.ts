/**
 * The projector isolates what the store refuses (issue 13), on both log adapters: an event the
 * store will never take — slipped into the log past ingest, as an older version or another writer
 * could — goes to the dead-letter topic with the store's reason and its source offset, leaves no
 * rows, and every other event is projected. A store that cannot be reached refuses nothing: while
 * it is down nothing is set aside, the projector says it is stalled and why, and once the store
 * is back everything is projected.
 *
 * The store is chDB served over the ClickHouse HTTP interface by its own process (tools or
 * tools/store-server), so that it can really go away: killed with SIGKILL, started again.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { logKeyOf } from '../../../services/common/events/keys.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { AppendReceipt, EventLog } from '../../../services/common/log/event-log.js';
import { createLogger } from '../../../services/common/logger.js';
import { createMetrics } from '../../../services/common/metrics/metrics.js';
import { createClickHouseServerStore } from '../../../services/common/store/clickhouse-server-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import {
  EVENTS_DEAD_LETTER_TOPIC,
  EVENTS_TOPIC,
  PROJECTOR_GROUP,
} from '../../../services/common/topics.js';
import { startProjector, type Projector } from '../../../services/projector/projector.js';
import { requireKafka } from '../../support/kafka-broker.js';
import { pollUntil } from '../../support/poll.js';
import { sampleEvents } from '../../support/sample-events.js';
import type { ServiceProcess } from '../../support/service-process.js';
import { spawnStoreServer } from '../../support/store-server.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();
/** Year -1 in UTC: what `0000-01-01T00:00:00+01:00` became, which the store never took. */
const YEAR_MINUS_ONE = '-000001-12-31T23:00:00.000Z';
const PROJECTION_TABLES = [
  'events',
  'event_index',
  'batch_events',
  'batches',
  'derivations_by_input',
  'derivations_by_output',
  'shipments',
  'recall_batches',
  'recall_notices',
  'epcis_events',
  'epcis_event_ids',
];

let dataDir: string;
let storeServer: ServiceProcess;
let storePort = 0;
const cleanups: Array<() => Promise<void>> = [];

async function startStoreServer() {
  storeServer = await spawnStoreServer({ dataDir, port: storePort });
  storePort = Number(new URL(storeServer.url).port);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'suyuan-refused-'));
  await startStoreServer();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await storeServer?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const [producedSample, shippedSample] = sampleEvents() as [
  Extract<SuyuanEvent, { eventType: 'BatchProduced' }>,
  Extract<SuyuanEvent, { eventType: 'BatchShipped' }>,
];
const notice = sampleEvents().find((e) => e.eventType === 'RecallNoticeIssued') as Extract<
  SuyuanEvent,
  { eventType: 'RecallNoticeIssued' }
>;
const produced = (batchId: string, eventTime = producedSample.eventTime): SuyuanEvent => ({
  ...producedSample,
  eventId: randomUUID(),
  eventTime,
  batchId,
  inputs: [{ batchId: `${batchId}-IN`, quantity: 1, unit: 'kg' }],
});
const shipped = (batchId: string): SuyuanEvent => ({
  ...shippedSample,
  eventId: randomUUID(),
  shipmentId: `S-${batchId}`,
  lines: [{ batchId, quantity: 1, unit: 'kg' }],
});
const epcisRecord = sampleEvents().find((e) => e.eventType === 'EpcisEventCaptured') as Extract<
  SuyuanEvent,
  { eventType: 'EpcisEventCaptured' }
>;
/** An EPCIS event as captured, in year -1: its rows in the EPCIS tables are taken out too. */
const epcisRecordInYearMinusOne = (): SuyuanEvent => ({
  ...epcisRecord,
  eventId: randomUUID(),
  epcisEventId: `urn:uuid:${randomUUID()}`,
  eventTime: YEAR_MINUS_ONE,
});
/** Its time is fine, so its first rows are written; the store refuses its deadline later on. */
const noticeDueInYearMinusOne = (): SuyuanEvent => ({
  ...notice,
  eventId: randomUUID(),
  noticeId: `N-${randomUUID()}`,
  deadline: YEAR_MINUS_ONE,
});

/** A log, a store in its own database, and a projector over them, for one adapter. */
async function projectorOn(openLog: () => EventLog | Promise<EventLog>, database: string) {
  const log = await openLog();
  const store: Store = await createClickHouseServerStore({
    url: `http://127.0.0.1:${storePort}`,
    username: 'default',
    password: '',
    database,
    requestTimeoutMs: 5_000,
  });
  await migrate(store, logger);
  const projector: Projector = await startProjector({
    log,
    store,
    codec,
    logger,
    batchSize: 100,
    stallAfterMs: 500,
  });
  cleanups.push(async () => {
    await projector.stop();
    await log.close();
    await store.close();
  });
  const append = (events: readonly SuyuanEvent[]) =>
    log.append(
      EVENTS_TOPIC,
      events.map((event) => ({ key: logKeyOf(event), value: codec.encode(event) })),
    );
  const projectedPast = async (receipts: readonly AppendReceipt[]) => {
    const committed = await log.committedOffsets(EVENTS_TOPIC, PROJECTOR_GROUP);
    return receipts.every(({ partition, offset }) => (committed.get(partition) ?? 0) > offset);
  };
  /** The dead letters whose source is one of `receipts`. */
  const deadLettersOf = async (receipts: readonly AppendReceipt[]) => {
    const records = [];
    for (const [partition, end] of await log.endOffsets(EVENTS_DEAD_LETTER_TOPIC)) {
      records.push(
        ...(await log.read(EVENTS_DEAD_LETTER_TOPIC, {
          partition,
          fromOffset: 0,
          maxRecords: end,
        })),
      );
    }
    return records.filter((record) =>
      receipts.some(
        (receipt) =>
          record.headers['source-partition'] === String(receipt.partition) &&
          record.headers['source-offset'] === String(receipt.offset),
      ),
    );
  };
  const rowsOf = async (eventId: string) => {
    const counts = await Promise.all(
      PROJECTION_TABLES.map(async (table) => {
        const [row] = await store.query<{ n: number }>(
          `SELECT count() AS n FROM ${table} FINAL WHERE event_id = {eventId:String}`,
          { eventId },
        );
        return [table, row?.n ?? 0] as const;
      }),
    );
    return Object.fromEntries(counts.filter(([, n]) => n > 0));
  };
  return { log, store, projector, append, projectedPast, deadLettersOf, rowsOf };
}

const adapters: Array<[string, string[], (namespace: string) => EventLog | Promise<EventLog>]> = [
  [
    'the embedded log',
    [],
    (namespace) =>
      createEventLog({ kind: 'embedded', path: join(dataDir, `${namespace}.sqlite`) }, logger),
  ],
  [
    'Kafka',
    ['kafka'],
    async (namespace) =>
      createEventLog(
        {
          kind: 'kafka',
          brokers: (await requireKafka()).brokers,
          clientId: 'refused-events-test',
          partitions: 3,
          replicationFactor: 1,
          namespace: `${namespace}.`,
        },
        logger,
      ),
  ],
];

describe.each(adapters)('the projector on %s', (_name, tags, openLog) => {
  it(
    'sets aside the events the store refuses, with its reason and their offsets, and projects every other',
    { timeout: 120_000, tags },
    async () => {
      const namespace = `refused_${randomUUID().slice(0, 8)}`;
      const { append, projectedPast, deadLettersOf, rowsOf, store } = await projectorOn(
        () => openLog(namespace),
        namespace,
      );
      const refused = [
        produced('R-1', YEAR_MINUS_ONE),
        noticeDueInYearMinusOne(),
        epcisRecordInYearMinusOne(),
      ];
      const good = [produced('G-1'), shipped('G-1'), produced('G-2')];
      // Good and refused in turn: g0 r0 g1 r1 g2 r2.
      const events = good.flatMap((event, i) => [event, refused[i]]) as SuyuanEvent[];
      const receipts = await append(events);
      await pollUntil(() => projectedPast(receipts), {
        timeoutMs: 60_000,
        what: 'the projector to get past every event',
      });

      for (const event of good) expect(await rowsOf(event.eventId)).toHaveProperty('events', 1);
      const batches = await store.query<{ batch_id: string }>(
        'SELECT batch_id FROM batches FINAL ORDER BY batch_id',
      );
      expect(batches.map((row) => row.batch_id)).toEqual(['G-1', 'G-2']);
      // A refused event leaves no rows, also where the store took some before refusing it.
      for (const event of refused) expect(await rowsOf(event.eventId)).toEqual({});

      const refusedReceipts = [receipts[1], receipts[3], receipts[5]] as AppendReceipt[];
      const dead = await deadLettersOf(receipts);
      expect(dead.map((record) => record.headers['source-offset']).sort()).toEqual(
        refusedReceipts.map((receipt) => String(receipt.offset)).sort(),
      );
      for (const record of dead) {
        expect(record.headers).toMatchObject({
          'source-topic': EVENTS_TOPIC,
          consumer: PROJECTOR_GROUP,
          cause: 'refused',
          error: expect.stringMatching(/^store refused the data: Cannot read DateTime/),
        });
        expect(codec.decode(record.value).eventId).toMatch(
          new RegExp(refused.map((e) => e.eventId).join('|')),
        );
      }
      const rows = await store.query<{ offset: number; cause: string; event_id: string }>(
        'SELECT offset, cause, event_id FROM dead_letters FINAL ORDER BY offset',
      );
      expect(rows.map((row) => row.cause)).toEqual(['refused', 'refused', 'refused']);
      expect(rows.map((row) => row.event_id).sort()).toEqual(refused.map((e) => e.eventId).sort());
    },
  );

  it(
    'sets nothing aside while the store cannot be reached, says it is stalled and why, and projects everything once it is back',
    { timeout: 180_000 },
    async () => {
      const namespace = `down_${randomUUID().slice(0, 8)}`;
      const { projector, append, projectedPast, deadLettersOf, rowsOf } = await projectorOn(
        () => openLog(namespace),
        namespace,
      );
      const metrics = createMetrics({ service: 'refused-test' });
      metrics.watchConsumerHealth(projector.health);
      const sample = async (name: string) => {
        const text = await metrics.registry.metrics();
        return text.split('\n').filter((line) => line.startsWith(`${name}{`));
      };

      await storeServer.kill();
      const events = [produced('D-1'), produced('D-2', YEAR_MINUS_ONE), shipped('D-1')];
      const receipts = await append(events);
      const stall = await pollUntil(
        () =>
          projector.health.check().then(
            () => undefined,
            (error: Error) => error.message,
          ),
        { timeoutMs: 60_000, intervalMs: 100, what: 'the projector to report itself stalled' },
      );
      expect(stall).toMatch(
        /^(\S+\.)?suyuan-projector has made no progress for \d+ s while 3 records wait; failing since \S+Z: store request failed/,
      );
      expect(await sample('suyuan_consumer_stalled')).toEqual([
        expect.stringMatching(/group="(\S+\.)?suyuan-projector".* 1$/),
      ]);
      expect(await sample('suyuan_consumer_last_error_timestamp_seconds')).toEqual([
        expect.stringMatching(/error="store request failed[^"]*".* \d+(\.\d+)?$/),
      ]);
      const [failingSince] = await sample('suyuan_consumer_failing_since_timestamp_seconds');
      expect(Number(failingSince?.split(' ').at(-1))).toBeGreaterThan(0);
      expect(await deadLettersOf(receipts)).toEqual([]);
      expect(await projectedPast(receipts)).toBe(false);

      await startStoreServer();
      await pollUntil(() => projectedPast(receipts), {
        timeoutMs: 60_000,
        what: 'the projector to get past every event once the store is back',
      });
      expect(await rowsOf(events[0]!.eventId)).toHaveProperty('batches', 1);
      expect(await rowsOf(events[2]!.eventId)).toHaveProperty('shipments', 1);
      const dead = await deadLettersOf(receipts);
      expect(dead.map((record) => record.headers['source-offset'])).toEqual([
        String(receipts[1]?.offset),
      ]);
      await expect(projector.health.check()).resolves.toBeUndefined();
      expect(await sample('suyuan_consumer_stalled')).toEqual([expect.stringMatching(/ 0$/)]);
      expect(await sample('suyuan_consumer_failing_since_timestamp_seconds')).toEqual([
        expect.stringMatching(/ 0$/),
      ]);
    },
  );
});
