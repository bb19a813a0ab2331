/**
 * A consumer started in the background: its state while it starts, after it reported, when its
 * start fails for a while, and that stopping it during a start waits for that start and then
 * stops what it started (so a Kafka consumer leaves its group instead of being left behind).
 * The start functions here are plain promises the test settles: the logic under test is the
 * bookkeeping around them, not a log (the consumers' health reads a real embedded log).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuyuanError } from '../../../../services/common/errors.js';
import { createConsumerHealth } from '../../../../services/common/log/consumer-health.js';
import type { EventLog, SubscriptionState } from '../../../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../../../services/common/log/sqlite-event-log.js';
import { startInBackground } from '../../../../services/common/runtime/background-consumer.js';
import { pollUntil } from '../../../support/poll.js';

const logger = pino({ level: 'silent' });
let dir: string;
let log: EventLog;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-background-'));
  log = createSqliteEventLog({ path: join(dir, 'log.sqlite') });
  await log.ensureTopic('events');
});
afterAll(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const health = (group: string) => createConsumerHealth({ log, topic: 'events', group });

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('a consumer started in the background', () => {
  it('is joining until its subscription reports, then says what it reported', async () => {
    let report: (state: SubscriptionState) => void = () => undefined;
    const started = deferred<{ stop(): Promise<void> }>();
    const consumer = startInBackground(health('group-1'), logger, (onStateChange) => {
      report = onStateChange;
      return started.promise;
    });
    expect(consumer.group).toBe('group-1');
    await expect(consumer.health.check()).resolves.toBeUndefined();
    expect(consumer.state()).toBe('joining');
    report('consuming');
    expect(consumer.state()).toBe('consuming');
    report('joining'); // a rebalance
    expect(consumer.state()).toBe('joining');
    let settled = false;
    void consumer.started.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    started.resolve({ stop: () => Promise.resolve() });
    await consumer.started;
    await consumer.stop();
    expect(consumer.state()).toBe('stopped');
  });

  it('tries a failed start again until it succeeds', async () => {
    let attempts = 0;
    const consumer = startInBackground(health('group-2'), logger, (onStateChange) => {
      attempts += 1;
      if (attempts < 3) return Promise.reject(new SuyuanError('log_unavailable', 'down'));
      onStateChange('consuming');
      return Promise.resolve({ stop: () => Promise.resolve() });
    });
    await pollUntil(() => consumer.state() === 'consuming', { what: 'the third start' });
    expect(attempts).toBe(3);
    await consumer.stop();
  });

  it('fails for good on a start that waiting cannot mend', async () => {
    const consumer = startInBackground(health('group-3'), logger, () =>
      Promise.reject(new SuyuanError('config_invalid', 'bad setting')),
    );
    await consumer.started;
    expect(consumer.state()).toBe('failed');
    await consumer.stop();
  });

  it('stops what a start under way started, once it has started', async () => {
    const started = deferred<{ stop(): Promise<void> }>();
    let stopped = false;
    const consumer = startInBackground(health('group-4'), logger, () => started.promise);
    const stopping = consumer.stop();
    started.resolve({
      stop: () => {
        stopped = true;
        return Promise.resolve();
      },
    });
    await stopping;
    expect(stopped).toBe(true);
    expect(consumer.state()).toBe('stopped');
  });

  it('stops at once while waiting to try again', { timeout: 15_000 }, async () => {
    let attempts = 0;
    const consumer = startInBackground(health('group-5'), logger, () => {
      attempts += 1;
      return Promise.reject(new Error('broker down'));
    });
    // After four tries (pauses of 0.25, 0.5 and 1 s) the next pause is 2 s.
    await pollUntil(() => attempts >= 4, { timeoutMs: 10_000, what: 'four starts' });
    const stopping = performance.now();
    // Resolves only once the retry loop has ended, so no start follows.
    await consumer.stop();
    expect(performance.now() - stopping).toBeLessThan(1_000);
    expect(attempts).toBe(4);
  });
});
