/**
 * When a consumer counts as stalled (services/common/log/consumer-health.ts): records wait for it
 * and it has got nowhere for the stall time. Progress is a batch it handled, or its group's
 * committed offsets moving (another instance got on). Real embedded log; a clock the test turns.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsumerHealth } from '../../../../services/common/log/consumer-health.js';
import type { EventLog } from '../../../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../../../services/common/log/sqlite-event-log.js';
import { pollUntil } from '../../../support/poll.js';

const TOPIC = 'health-topic';
const GROUP = 'health-group';
const STALL_AFTER_MS = 60_000;
let dir: string;
let log: EventLog;
let clock: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-health-'));
  log = createSqliteEventLog({ path: join(dir, 'log.sqlite') });
  await log.ensureTopic(TOPIC);
  clock = Date.parse('2026-12-01T00:00:00Z');
});
afterEach(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const health = () =>
  createConsumerHealth({
    log,
    topic: TOPIC,
    group: GROUP,
    stallAfterMs: STALL_AFTER_MS,
    now: () => clock,
  });
const append = (n: number) =>
  log.append(
    TOPIC,
    Array.from({ length: n }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })),
  );

describe('consumer health', () => {
  it('is not stalled while nothing waits, however long it has been idle', async () => {
    const consumer = health();
    clock += 10 * STALL_AFTER_MS;
    await expect(consumer.check()).resolves.toBeUndefined();
    expect(await consumer.status()).toMatchObject({ waiting: 0, stalled: false });
  });

  it('is stalled once records have waited the stall time with no progress, saying why', async () => {
    const consumer = health();
    const failing = consumer.watch(() =>
      Promise.reject(new Error('store request failed: ECONNREFUSED')),
    );
    await append(3);
    await expect(failing([])).rejects.toThrow('ECONNREFUSED');
    clock += STALL_AFTER_MS - 1;
    await expect(consumer.check()).resolves.toBeUndefined();
    clock += 1;
    await expect(consumer.check()).rejects.toThrow(
      /^health-group has made no progress for 60 s while 3 records wait; failing since 2026-12-01T00:00:00\.000Z: store request failed: ECONNREFUSED$/,
    );
  });

  it('gets on again after a handled batch, and keeps the last error', async () => {
    const consumer = health();
    await append(2);
    await expect(consumer.watch(() => Promise.reject(new Error('boom')))([])).rejects.toThrow();
    clock += STALL_AFTER_MS;
    expect((await consumer.status()).stalled).toBe(true);
    await consumer.watch(() => Promise.resolve())([]);
    const status = await consumer.status();
    expect(status).toMatchObject({ stalled: false, failingSince: undefined });
    expect(status.lastError?.message).toBe('boom');
  });

  it('counts the group moving on as progress, as when another instance handles the records', async () => {
    const consumer = health();
    await append(4);
    await consumer.status();
    clock += STALL_AFTER_MS;
    // Another member of the group handles two of the four records, then fails on the rest.
    let batches = 0;
    const other = await log.subscribe({
      topic: TOPIC,
      groupId: GROUP,
      maxBatchSize: 2,
      handleBatch: () => (++batches === 1 ? Promise.resolve() : Promise.reject(new Error('no'))),
    });
    await pollUntil(async () => (await log.committedOffsets(TOPIC, GROUP)).get(0) === 2, {
      what: 'the other member to commit two records',
    });
    await other.stop();
    expect(await consumer.status()).toMatchObject({ waiting: 2, stalled: false });
    clock += STALL_AFTER_MS;
    expect(await consumer.status()).toMatchObject({ waiting: 2, stalled: true });
  });

  it('tells how long a batch has been in hand when nothing failed', async () => {
    const consumer = health();
    await append(1);
    let release = (): void => undefined;
    const handling = consumer.watch(() => new Promise<void>((resolve) => (release = resolve)))([]);
    clock += STALL_AFTER_MS;
    await expect(consumer.check()).rejects.toThrow(/; a batch has been in hand for 60 s$/);
    release();
    await handling;
  });
});
