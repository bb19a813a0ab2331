import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { logKeyOf } from '../../../services/common/events/keys.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../../../services/common/topics.js';
import { createStoreTraceReads } from '../../../services/common/trace/store-trace-reads.js';
import { startProjector, type Projector } from '../../../services/projector/projector.js';
import { loadTrace } from '../../../services/trace-api/routes.js';
import { pollUntil } from '../../support/poll.js';
import { sampleEvents } from '../../support/sample-events.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();
let dir: string;
let log: EventLog;
let store: Store;
const projectors: Projector[] = [];

const event = (batchId: string, inputs: string[] = []): SuyuanEvent => ({
  ...(sampleEvents()[0] as Extract<SuyuanEvent, { eventType: 'BatchProduced' }>),
  eventId: crypto.randomUUID(),
  batchId,
  inputs: inputs.map((input) => ({ batchId: input, quantity: 1, unit: 'kg' })),
});
const record = (e: SuyuanEvent) => ({ key: logKeyOf(e), value: codec.encode(e) });
const project = async (groupId?: string) => {
  const projector = await startProjector({ log, store, codec, logger, batchSize: 100, groupId });
  projectors.push(projector);
  return projector;
};
const countRows = async (table: string, where = '1') =>
  (await store.query<{ n: number }>(`SELECT count() AS n FROM ${table} FINAL WHERE ${where}`))[0]
    ?.n;
const trace = (root: string) =>
  loadTrace({ reads: createStoreTraceReads(store), parties: createPartyDirectory(store) }, root, {
    direction: 'both',
    maxDepth: 10,
    maxNodes: 100,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-projector-'));
  log = createEventLog({ kind: 'embedded', path: join(dir, 'log.sqlite') }, logger);
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, logger);
});
afterAll(async () => {
  for (const projector of projectors) await projector.stop();
  await log?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('projector', () => {
  it('moves an undecodable message to the dead-letter topic with the reason, and goes on', async () => {
    await project();
    const [, poisonReceipt] = await log.append(EVENTS_TOPIC, [
      record(event('BEFORE-POISON')),
      { key: 'junk', value: Buffer.from('definitely not avro') },
      record(event('AFTER-POISON', ['BEFORE-POISON'])),
    ]);
    await pollUntil(
      async () => (await countRows('batches', "batch_id = 'AFTER-POISON'")) === 1 || undefined,
      {
        timeoutMs: 20_000,
        what: 'the event after the poison message',
      },
    );
    const dead = await log.read(EVENTS_DEAD_LETTER_TOPIC, { fromOffset: 0, maxRecords: 10 });
    expect(dead).toHaveLength(1);
    expect(dead[0]?.value.toString()).toBe('definitely not avro');
    expect(dead[0]?.headers).toMatchObject({
      'source-topic': EVENTS_TOPIC,
      'source-partition': String(poisonReceipt?.partition),
      'source-offset': String(poisonReceipt?.offset),
      error: expect.stringMatching(/wire format/),
    });
  });

  it('changes no answer when events are delivered again (at-least-once redelivery, replay)', async () => {
    const produced = event('REPLAYED', ['AFTER-POISON']);
    await log.append(EVENTS_TOPIC, [record(produced)]);
    await pollUntil(
      async () => (await countRows('batches', "batch_id = 'REPLAYED'")) === 1 || undefined,
      {
        timeoutMs: 20_000,
        what: 'the first projection',
      },
    );
    const before = await trace('AFTER-POISON');

    await log.append(EVENTS_TOPIC, [record(produced)]); // the same event again, as after a crash before commit
    await project('replay-from-zero'); // and a second group that re-projects the whole log
    const end = (await log.endOffsets(EVENTS_TOPIC)).get(0);
    await pollUntil(
      async () =>
        (await log.committedOffsets(EVENTS_TOPIC, 'replay-from-zero')).get(0) === end || undefined,
      { timeoutMs: 20_000, what: 'the replay to catch up' },
    );
    expect(await trace('AFTER-POISON')).toEqual(before);
    expect(await countRows('events', `event_id = '${produced.eventId}'`)).toBe(1);
    expect(await countRows('derivations_by_output', "output_batch_id = 'REPLAYED'")).toBe(1);
    expect(
      (await log.read(EVENTS_DEAD_LETTER_TOPIC, { fromOffset: 0, maxRecords: 10 })).length,
    ).toBe(2);
  });
  it('writes no event_index rows beside the embedded log, which settles event ids itself', async () => {
    // The Kafka projector's rows are what distributed ingest looks ids up in (refused-events.test.ts
    // and the distributed e2e tests); beside a log that settles identity nothing reads them.
    await project('without-event-index');
    const produced = event('NOT-INDEXED-IN-STORE');
    await log.append(EVENTS_TOPIC, [record(produced)]);
    await pollUntil(
      async () =>
        (await countRows('batches', "batch_id = 'NOT-INDEXED-IN-STORE'")) === 1 || undefined,
      { timeoutMs: 20_000, what: 'the projected batch' },
    );
    expect(await countRows('events', `event_id = '${produced.eventId}'`)).toBe(1);
    expect(await countRows('event_index', `event_id = '${produced.eventId}'`)).toBe(0);
  });

  it('writes every row of a batch larger than it projects in one turn of the event loop', async () => {
    // The only projector running: the rows must come from the one batch of 5 000 below.
    for (const projector of projectors.splice(0)) await projector.stop();
    const chain = Array.from({ length: 2_500 }, (_, n) =>
      event(`LARGE-${n}`, n > 0 ? [`LARGE-${n - 1}`] : []),
    );
    await log.append(EVENTS_TOPIC, chain.map(record));
    const projector = await startProjector({
      log,
      store,
      codec,
      logger,
      batchSize: 5_000,
      groupId: 'large-batches',
    });
    projectors.push(projector);
    // The tables are written one after another: the derivations come after the productions.
    await pollUntil(
      async () =>
        (await countRows('derivations_by_input', "startsWith(input_batch_id, 'LARGE-')")) ===
          2_499 || undefined,
      { timeoutMs: 30_000, what: 'the 2 499 derivations' },
    );
    expect(await countRows('batches', "startsWith(batch_id, 'LARGE-')")).toBe(2_500);
    expect(await countRows('events', `event_id = '${chain.at(-1)?.eventId}'`)).toBe(1);
  });
});
