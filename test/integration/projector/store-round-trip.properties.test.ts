/**
 * The property that closes "valid-looking events the store cannot hold" (issue 13, item 1): every
 * event the validator accepts goes through the real log and the real projector into chDB and
 * reads back equal — the stored payload and every typed row. Runs on both log adapters: the
 * embedded log, and Kafka when a broker is found (test/support/kafka-broker.ts).
 *
 * The arbitraries range over the edges (any time of the years 0000–9999 with any offset, subnormal
 * and huge numbers, -0, NUL and other odd characters), so a value the validator lets through and
 * the store refuses, clamps or reads back otherwise fails the property.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuyuanError } from '../../../services/common/errors.js';
import { createEventCodec } from '../../../services/common/events/codec.js';
import { canonicalJson } from '../../../services/common/events/fingerprint.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { logKeyOf } from '../../../services/common/events/keys.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import {
  EVENTS_DEAD_LETTER_TOPIC,
  EVENTS_TOPIC,
  PROJECTOR_GROUP,
} from '../../../services/common/topics.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import {
  projectEvents,
  type ProjectionTable,
} from '../../../services/common/projection/projection.js';
import { startProjector } from '../../../services/projector/projector.js';
import { submittedEvent } from '../../support/event-arbitraries.js';
import { requireKafka } from '../../support/kafka-broker.js';
import { pollUntil } from '../../support/poll.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();
/** A few hundred events per adapter: runs of up to eight. */
const RUNS = { numRuns: Number(process.env.ROUND_TRIP_RUNS ?? 50), endOnFailure: true };
/** Columns that hold JSON text; compared as the values they hold, whatever their key order. */
const JSON_COLUMNS = new Set(['payload', 'findings', 'batches']);

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-round-trip-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, logger);
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The events of a submission as ingest would log them, or none when the validator refuses it. */
function accepted(body: Record<string, unknown>): SuyuanEvent[] {
  const recordedAt = new Date().toISOString();
  try {
    // A fresh id: fast-check repeats its ids across runs, and the tables fold rows by event id.
    return parseSubmission({ ...body, eventId: randomUUID() }, 'plant-1').map((event) => ({
      ...event,
      recordedAt,
    }));
  } catch (error) {
    if (error instanceof SuyuanError && error.code === 'invalid_event') return [];
    throw error;
  }
}

/**
 * `recall_notices` is keyed by recall, recipient and notice, not by event: two notices of one run
 * with the same key would fold into one row, as they should, so a run keeps the first of them.
 */
function distinctNotices(events: SuyuanEvent[]): SuyuanEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (event.eventType !== 'RecallNoticeIssued') return true;
    const key = JSON.stringify([event.recallId, event.recipient, event.noticeId]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A row as compared: JSON text parsed, so that key order in the text does not matter. */
function comparable(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column,
      JSON_COLUMNS.has(column) && typeof value === 'string' ? JSON.parse(value) : value,
    ]),
  );
}
const sorted = (rows: Array<Record<string, unknown>>) =>
  rows.map(comparable).sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));

/** What the store holds for these events, table by table, as the projection wrote it. */
async function storedRows(eventIds: readonly string[], tables: readonly string[]) {
  const entries = await Promise.all(
    tables.map(async (table) => {
      const rows = await store.query<Record<string, unknown>>(
        `SELECT * FROM ${table} FINAL WHERE event_id IN {ids:Array(String)}`,
        { ids: eventIds },
      );
      return [table, sorted(rows)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Appends the events and waits until the projector has committed past every one of them. */
async function projectThroughLog(log: EventLog, events: readonly SuyuanEvent[]) {
  const receipts = await log.append(
    EVENTS_TOPIC,
    events.map((event) => ({ key: logKeyOf(event), value: codec.encode(event) })),
  );
  await pollUntil(
    async () => {
      const committed = await log.committedOffsets(EVENTS_TOPIC, PROJECTOR_GROUP);
      return receipts.every(({ partition, offset }) => (committed.get(partition) ?? 0) > offset);
    },
    { timeoutMs: 30_000, intervalMs: 20, what: 'the projector to commit past the events' },
  );
}

/** The dead letters written for these events, to say why one is missing from the store. */
async function deadLettersOf(log: EventLog, eventIds: readonly string[]) {
  const found: Array<Record<string, string>> = [];
  for (const [partition, end] of await log.endOffsets(EVENTS_DEAD_LETTER_TOPIC)) {
    const records = await log.read(EVENTS_DEAD_LETTER_TOPIC, {
      partition,
      fromOffset: Math.max(0, end - 50),
      maxRecords: 50,
    });
    found.push(
      ...records
        .filter((record) => eventIds.some((id) => record.value.includes(id)))
        .map((record) => record.headers),
    );
  }
  return found;
}

function roundTripProperty(openLog: () => EventLog | Promise<EventLog>) {
  return async () => {
    const log = await openLog();
    const projector = await startProjector({ log, store, codec, logger, batchSize: 100 });
    let projected = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(submittedEvent, { minLength: 1, maxLength: 8 }),
          async (bodies) => {
            const events = distinctNotices(bodies.flatMap(accepted));
            if (events.length === 0) return;
            await projectThroughLog(log, events);
            // Beside a log that settles event ids itself (the embedded one), which is then
            // ingest's only index, the store keeps no event_index rows; beside Kafka it does.
            const expected = projectEvents(events, { eventIndex: log.identities === undefined });
            const tables = [
              ...(Object.keys(expected) as ProjectionTable[]),
              'derivations_by_output',
            ] as const;
            const eventIds = events.map((event) => event.eventId);
            const stored = await storedRows(eventIds, tables);
            const dead = await deadLettersOf(log, eventIds);
            expect(dead, 'events the projector dead-lettered').toEqual([]);
            for (const table of tables) {
              const want = sorted(
                table === 'derivations_by_output' ? expected.derivations_by_input : expected[table],
              );
              expect(stored[table], `rows of ${table}`).toEqual(want);
            }
            projected += events.length;
          },
        ),
        RUNS,
      );
    } finally {
      await projector.stop();
      await log.close();
    }
    // The arbitraries mean to be valid mostly: a property over a handful of events proves little.
    expect(projected).toBeGreaterThan(RUNS.numRuns * 2);
  };
}

describe('every event the validator accepts is projected into the store and read back equal', () => {
  it(
    'through the embedded log',
    { timeout: 240_000 },
    roundTripProperty(() =>
      createEventLog({ kind: 'embedded', path: join(dir, 'log.sqlite') }, logger),
    ),
  );

  it(
    'through Kafka',
    { timeout: 240_000, tags: ['kafka'] },
    roundTripProperty(async () =>
      createEventLog(
        {
          kind: 'kafka',
          brokers: (await requireKafka()).brokers,
          clientId: 'round-trip-test',
          partitions: 3,
          replicationFactor: 1,
          namespace: `round-trip-${randomUUID().slice(0, 8)}.`,
        },
        logger,
      ),
    ),
  );
});
