/**
 * The event log contract against a real Kafka broker (see test/support/kafka-broker.ts for which
 * one; tagged `kafka`, so skipped where there is none), with three partitions per topic so that ordering is checked per key, not per topic; and
 * the Kafka adapter's own promises: a slow handler keeps its group, a large backlog fills whole
 * batches, and an unreachable cluster makes calls fail, not hang.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isSuyuanError } from '../../../../services/common/errors.js';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import { createKafkaEventLog } from '../../../../services/common/log/kafka-event-log.js';
import { requireKafka } from '../../../support/kafka-broker.js';
import { pollUntil } from '../../../support/poll.js';
import { eventLogContract, type LogAdapterConfig } from './event-log.contract.js';

describe('Kafka event log', { tags: ['kafka'] }, () => {
  it(
    'keeps a handler slower than the session timeout in its group, delivering once',
    { timeout: 60_000 },
    async () => {
      const log = createKafkaEventLog({
        brokers: (await requireKafka()).brokers,
        clientId: `slow-handler-${randomUUID().slice(0, 8)}`,
        partitions: 1,
        replicationFactor: 1,
        sessionTimeoutMs: 6_000,
      });
      const topic = `kafka-slow-handler-${randomUUID()}`;
      const groupId = `kafka-slow-handler-${randomUUID()}`;
      const deliveries: number[] = [];
      try {
        await log.append(topic, [{ key: 'lot-1', value: Buffer.from('slow') }]);
        const subscription = await log.subscribe({
          topic,
          groupId,
          handleBatch: async (batch) => {
            deliveries.push(batch.length);
            // Slow work: half as long again as the session timeout.
            if (deliveries.length === 1) await setTimeout(9_000);
          },
        });
        await pollUntil(async () => (await log.committedOffsets(topic, groupId)).get(0) === 1, {
          timeoutMs: 30_000,
          what: 'the slow batch to be committed',
        });
        await subscription.stop();
        expect(deliveries).toEqual([1]);
      } finally {
        await log.close();
      }
    },
  );

  it(
    "keeps the session within the broker's bounds: one asked below its minimum still joins",
    { timeout: 60_000 },
    async () => {
      // 500 ms is below the minimum of every broker the suites run on (1 s on ours, 6 s stock);
      // a join that asked for it as it is would be refused (INVALID_SESSION_TIMEOUT).
      const log = createKafkaEventLog({
        brokers: (await requireKafka()).brokers,
        clientId: `short-session-${randomUUID().slice(0, 8)}`,
        partitions: 1,
        replicationFactor: 1,
        sessionTimeoutMs: 500,
      });
      const topic = `kafka-short-session-${randomUUID()}`;
      const states: string[] = [];
      const received: string[] = [];
      try {
        await log.append(topic, [{ key: 'lot-1', value: Buffer.from('joined') }]);
        const subscription = await log.subscribe({
          topic,
          groupId: `kafka-short-session-${randomUUID()}`,
          handleBatch: (batch) => {
            received.push(...batch.map((record) => record.value.toString()));
            return Promise.resolve();
          },
          onStateChange: (state) => states.push(state),
        });
        await pollUntil(() => received.length > 0, { timeoutMs: 30_000, what: 'the record' });
        await subscription.stop();
        expect(received).toEqual(['joined']);
        expect(states).toEqual(['joining', 'consuming']);
      } finally {
        await log.close();
      }
    },
  );

  it('fills a batch to maxBatchSize from a backlog of more than a megabyte', async () => {
    // The projector takes batches of 5 000 events of about 400 bytes. kafkajs fetches one
    // megabyte of a partition by default, which would cut them to half that.
    const log = createKafkaEventLog({
      brokers: (await requireKafka()).brokers,
      clientId: `large-batches-${randomUUID().slice(0, 8)}`,
      partitions: 1,
      replicationFactor: 1,
    });
    const topic = `kafka-large-batches-${randomUUID()}`;
    const sizes: number[] = [];
    try {
      const appended = Array.from({ length: 6_000 }, (_, index) => ({
        key: 'lot-1',
        value: Buffer.from(`${index} ${'x'.repeat(400)}`),
      }));
      for (let start = 0; start < appended.length; start += 1_000) {
        await log.append(topic, appended.slice(start, start + 1_000));
      }
      const subscription = await log.subscribe({
        topic,
        groupId: `kafka-large-batches-${randomUUID()}`,
        maxBatchSize: 5_000,
        handleBatch: (batch) => Promise.resolve(void sizes.push(batch.length)),
      });
      await pollUntil(() => sizes.reduce((sum, size) => sum + size, 0) >= appended.length, {
        timeoutMs: 30_000,
        what: 'every record handled',
      });
      await subscription.stop();
      expect(Math.max(...sizes)).toBe(5_000);
    } finally {
      await log.close();
    }
  });

  eventLogContract('Kafka', async () => {
    const config: LogAdapterConfig = {
      kind: 'kafka',
      brokers: (await requireKafka()).brokers,
      clientId: `contract-${randomUUID().slice(0, 8)}`,
      partitions: 3,
      replicationFactor: 1,
    };
    return {
      config,
      create: () => createEventLog(config, pino({ level: 'silent' })),
      cleanup: () => Promise.resolve(),
    };
  });
});

describe('Kafka event log without a reachable cluster', () => {
  // Nothing listens on port 1: every connection attempt is refused.
  const unreachable = () =>
    createKafkaEventLog({
      brokers: ['127.0.0.1:1'],
      clientId: 'unreachable-test',
      partitions: 1,
      replicationFactor: 1,
    });

  async function failure(attempt: Promise<unknown>) {
    const started = Date.now();
    const error = await attempt.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    return { error, elapsedMs: Date.now() - started };
  }

  it('rejects an append with log_unavailable within 15 seconds', { timeout: 30_000 }, async () => {
    const log = unreachable();
    try {
      const { error, elapsedMs } = await failure(
        log.append('never-created', [{ key: 'lot-1', value: Buffer.from('x') }]),
      );
      expect(isSuyuanError(error) && error.code).toBe('log_unavailable');
      expect(elapsedMs).toBeLessThan(15_000);
    } finally {
      await log.close();
    }
  });

  it('fails ping with log_unavailable within 6 seconds', { timeout: 30_000 }, async () => {
    const log = unreachable();
    try {
      const { error, elapsedMs } = await failure(log.ping());
      expect(isSuyuanError(error) && error.code).toBe('log_unavailable');
      expect(elapsedMs).toBeLessThan(6_000);
    } finally {
      await log.close();
    }
  });
});
