import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import { isSuyuanError } from '../../../../services/common/errors.js';
import type {
  EventLog,
  StoredRecord,
  SubscribeOptions,
} from '../../../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../../../services/common/log/sqlite-event-log.js';
import type { Logger } from '../../../../services/common/logger.js';
import { capturingLogger } from '../../../support/log-lines.js';
import { pollUntil } from '../../../support/poll.js';
import { eventLogContract, type LogAdapterConfig } from './event-log.contract.js';
import { collectBatches, record, texts } from './support/log-records.js';

eventLogContract('embedded (SQLite)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'suyuan-log-contract-'));
  const config: LogAdapterConfig = { kind: 'embedded', path: join(dir, 'log.db') };
  return {
    config,
    create: () => createEventLog(config, pino({ level: 'silent' })),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/** What only the embedded adapter promises, beyond the contract. */
describe('embedded (SQLite) event log', () => {
  let dir: string;
  let path: string;
  const opened: EventLog[] = [];
  const releases: (() => void)[] = [];

  function open(options: { pollIntervalMs?: number; logger?: Logger } = {}): EventLog {
    const log = createSqliteEventLog({ path, ...options });
    opened.push(log);
    return log;
  }

  async function collect(log: EventLog, options: Omit<SubscribeOptions, 'handleBatch'>) {
    const handled: StoredRecord[] = [];
    const subscription = await log.subscribe({
      ...options,
      handleBatch: (batch) => Promise.resolve(void handled.push(...batch)),
    });
    return { handled, subscription };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-sqlite-log-'));
    path = join(dir, 'nested', 'log.db');
  });

  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    await Promise.all(opened.splice(0).map((log) => log.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a topic on first append and numbers its records from 0 without gaps', async () => {
    const log = open();
    expect(await log.endOffsets('lots')).toEqual(new Map());
    expect(await log.append('lots', [])).toEqual([]);
    expect(await log.endOffsets('lots')).toEqual(new Map());

    const first = await log.append('lots', [record('a'), record('b'), record('c')]);
    await log.ensureTopic('lots');
    const second = await log.append('lots', [record('d'), record('e')]);

    expect([...first, ...second]).toEqual(
      [0, 1, 2, 3, 4].map((offset) => ({ partition: 0, offset })),
    );
    expect(await log.endOffsets('lots')).toEqual(new Map([[0, 5]]));
    await log.ensureTopic('empty');
    expect(await log.endOffsets('empty')).toEqual(new Map([[0, 0]]));
  });

  it('allows one active subscription per group and topic in a process', async () => {
    const log = open();
    const options = { topic: 'lots', groupId: 'projector' };
    const first = await collect(log, options);

    await expect(collect(log, options)).rejects.toThrow(/already has an active subscription/);
    const otherGroup = await collect(log, { ...options, groupId: 'recall' });
    await first.subscription.stop();
    const again = await collect(log, options);

    await Promise.all([otherGroup.subscription.stop(), again.subscription.stop()]);
  });

  it('close() lets the batch in hand finish and commit, then refuses work', async () => {
    const log = open();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    releases.push(release);
    let entered = 0;
    await log.subscribe({
      topic: 'lots',
      groupId: 'projector',
      handleBatch: async (batch) => {
        entered += batch.length;
        await gate;
      },
    });
    await log.append('lots', [record('a')]);
    await pollUntil(() => entered === 1, { what: 'the handler to receive the record' });

    const closed = log.close();
    release();
    await closed;

    const error: unknown = await log.append('lots', [record('b')]).catch((e: unknown) => e);
    expect(isSuyuanError(error) && error.code).toBe('log_unavailable');
    await expect(
      log.subscribe({ topic: 'lots', groupId: 'x', handleBatch: () => Promise.resolve() }),
    ).rejects.toThrow(/closed/);
    await expect(log.read('lots', { fromOffset: 0, maxRecords: 1 })).rejects.toThrow();
    expect(await open().committedOffsets('lots', 'projector')).toEqual(new Map([[0, 1]]));
  });

  it('lets records gather after a batch that was not full, for its share of lingerMs; the first record goes at once', async () => {
    const log = open();
    // A batch of one of ten lingers a tenth of lingerMs: 3 s.
    const { batches, subscription } = await collectBatches(log, {
      maxBatchSize: 10,
      lingerMs: 30_000,
    });
    await log.append('lots', [record('a')]);
    await pollUntil(() => batches.length === 1, { what: 'the first record, at once' });
    // Three appends, each its own commit that wakes the subscription, well within the linger.
    for (const text of ['b', 'c', 'd']) await log.append('lots', [record(text)]);
    await pollUntil(() => batches.length === 2, { timeoutMs: 10_000, what: 'the gathered batch' });
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    await subscription.stop();
  });

  it('does not hold the record after a lone one for lingerMs: a lone record lingers its share', async () => {
    const log = open();
    // One record of a million lingers a millionth of ten minutes.
    const { batches, subscription } = await collectBatches(log, {
      maxBatchSize: 1_000_000,
      lingerMs: 600_000,
    });
    for (const text of ['a', 'b', 'c']) {
      await log.append('lots', [record(text)]);
      await pollUntil(() => batches.flat().includes(text), { what: `record ${text}` });
    }
    expect(batches).toEqual([['a'], ['b'], ['c']]);
    await subscription.stop();
  });

  it('does not linger after a full batch, and stops during a linger', async () => {
    const log = open();
    const { batches, subscription } = await collectBatches(log, {
      maxBatchSize: 2,
      lingerMs: 600_000,
    });
    await log.append('lots', ['a', 'b', 'c', 'd', 'e'].map(record));
    await pollUntil(() => batches.flat().length === 5, { what: 'the backlog, without lingering' });
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    // Lingering now, after the batch of one: stopping must not wait ten minutes, and delivers
    // what was appended during the linger before it ends.
    await log.append('lots', [record('f')]);
    await subscription.stop();
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e'], ['f']]);
  });

  it('sees records appended through another connection to the same file', async () => {
    const consumerSide = open({ pollIntervalMs: 20 });
    const producerSide = open();
    const consumer = await collect(consumerSide, { topic: 'lots', groupId: 'projector' });

    await producerSide.append('lots', [record('from elsewhere')]);

    await pollUntil(() => consumer.handled.length === 1, { what: 'the polled record' });
    expect(texts(consumer.handled)).toEqual(['from elsewhere']);
  });

  it('hands the groups of one process the same records, read from SQLite once', async () => {
    const log = open();
    // Both subscribed before the records come: each is known to need them from offset 0.
    const projector = await collect(log, { topic: 'lots', groupId: 'projector' });
    const recall = await collect(log, { topic: 'lots', groupId: 'recall' });
    await log.append('lots', [record('a'), record('b'), record('c')]);
    await pollUntil(() => projector.handled.length === 3 && recall.handled.length === 3, {
      what: 'both groups’ records',
    });

    // The same objects, so a decode kept per message (decodeOnce) serves both groups.
    for (const [index, stored] of recall.handled.entries()) {
      expect(stored).toBe(projector.handled[index]);
    }
    // A group of another process (another connection) reads its own, as it always did.
    const elsewhere = await collect(open(), { topic: 'lots', groupId: 'proofs' });
    await pollUntil(() => elsewhere.handled.length === 3, { what: 'the other process’s records' });
    expect(texts(elsewhere.handled)).toEqual(['a', 'b', 'c']);
    expect(elsewhere.handled[0]).not.toBe(projector.handled[0]);
    await Promise.all([projector, recall, elsewhere].map((c) => c.subscription.stop()));
  });

  it("starts at 'latest' only for a group without a committed offset", async () => {
    const log = open();
    await log.append('lots', [record('old')]);
    const options = { topic: 'lots', groupId: 'notifier', startAt: 'latest' } as const;
    const first = await collect(log, options);
    await log.append('lots', [record('new')]);
    await pollUntil(() => first.handled.length === 1, {
      what: 'the record appended after subscribe',
    });
    await first.subscription.stop();

    await log.append('lots', [record('while stopped')]);
    const second = await collect(log, options);
    await pollUntil(() => second.handled.length === 1, {
      what: 'the record appended while stopped',
    });

    expect(texts(first.handled)).toEqual(['new']);
    expect(texts(second.handled)).toEqual(['while stopped']);
  });

  it('logs a failed handler with its topic and group before redelivering', async () => {
    const { logger, lines: entries } = capturingLogger('warn');
    const log = open({ logger });
    let attempts = 0;
    await log.subscribe({
      topic: 'lots',
      groupId: 'projector',
      handleBatch: () => (++attempts === 1 ? Promise.reject(new Error('boom')) : Promise.resolve()),
    });
    await log.append('lots', [record('a')]);

    await pollUntil(() => attempts >= 2, { what: 'the redelivery' });
    expect(entries[0]).toMatchObject({
      msg: 'handler failed; redelivering',
      topic: 'lots',
      groupId: 'projector',
      err: { message: 'boom' },
    });
  });
});

describe('embedded (SQLite) event log checkpoints', () => {
  let dir: string;
  let path: string;
  let log: EventLog;
  let problems: Record<string, unknown>[];
  const body = Buffer.alloc(10_000, 'x');
  /** Appends `megabytes` in appends of 100 KB; the largest the WAL file got on the way. */
  const appendMegabytes = async (megabytes: number) => {
    let walMax = 0;
    for (let append = 0; append < megabytes * 10; append += 1) {
      await log.append(
        'lots',
        Array.from({ length: 10 }, () => ({ key: 'lot-1', value: body })),
      );
      walMax = Math.max(walMax, (await stat(`${path}-wal`)).size);
    }
    return walMax;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-sqlite-checkpoints-'));
    path = join(dir, 'log.db');
    const captured = capturingLogger('warn');
    problems = captured.lines;
    log = createSqliteEventLog({ path, logger: captured.logger });
  });

  afterEach(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies appended pages into the database file on a worker thread', async () => {
    // 8 MB: under the WAL size at which the appending connection would checkpoint for a restart.
    await appendMegabytes(8);

    await pollUntil(async () => (await stat(path)).size >= 8_000_000, {
      what: 'the appended pages in the database file',
    });
    expect(problems).toEqual([]);
  });

  it('starts the WAL over once the worker has caught up, so it stays short', async () => {
    const walMax = await appendMegabytes(80);

    expect(walMax).toBeLessThan(40_000_000);
    expect(problems).toEqual([]);
  });
});
