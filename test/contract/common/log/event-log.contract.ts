/**
 * The behaviour every event log adapter must have. Each adapter's test file calls
 * `eventLogContract` with a setup that gives a fresh log; every case uses its own topics and groups.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventLogConfig } from '../../../../services/common/log/create-event-log.js';
import type {
  EventLog,
  StoredRecord,
  SubscribeOptions,
  Subscription,
} from '../../../../services/common/log/event-log.js';
import { pollUntil } from '../../../support/poll.js';
import {
  content,
  nextOffsets,
  positions,
  record,
  sortedPositions,
  textsByKey,
} from './support/contract-records.js';
import {
  childRecord,
  spawnLogChild,
  type LogChild,
  type LogChildJob,
  type Position,
} from './support/log-child-process.js';

/** The serializable configuration `createEventLog` accepts; child processes rebuild the log from it. */
export type LogAdapterConfig = EventLogConfig;

export interface LogAdapterUnderTest {
  readonly config: LogAdapterConfig;
  /** Opens another client of the same log (the suite closes what it opens). */
  readonly create: () => EventLog;
  readonly cleanup: () => Promise<void>;
}

const CHILD_TIMEOUT_MS = 20_000;

const unique = (what: string): string => `contract-${what}-${randomUUID()}`;

export function eventLogContract(name: string, setup: () => Promise<LogAdapterUnderTest>): void {
  describe(`event log contract: ${name}`, () => {
    let adapter: LogAdapterUnderTest;
    let log: EventLog;
    const subscriptions: Subscription[] = [];
    const children: LogChild[] = [];
    /** Run before subscriptions stop, e.g. to release handlers a failed case left waiting. */
    const releases: (() => void)[] = [];

    beforeAll(async () => {
      adapter = await setup();
      log = adapter.create();
    });

    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => child.kill()));
      for (const release of releases.splice(0)) release();
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    });

    afterAll(async () => {
      await log?.close();
      await adapter?.cleanup();
    });

    /** Subscribes and keeps the records of every batch the handler completed. */
    async function collect(options: Omit<SubscribeOptions, 'handleBatch'>) {
      const handled: StoredRecord[] = [];
      const subscription = await log.subscribe({
        ...options,
        handleBatch: (batch) => {
          handled.push(...batch);
          return Promise.resolve();
        },
      });
      subscriptions.push(subscription);
      const until = (count: number) =>
        // Joining a Kafka group takes seconds, more on a loaded machine: this waits, it does not
        // time the join.
        pollUntil(() => handled.length >= count, {
          timeoutMs: 30_000,
          what: `${count} records in group ${options.groupId}`,
        });
      return { handled, subscription, until };
    }

    function startChild(job: LogChildJob): LogChild {
      const child = spawnLogChild(job);
      children.push(child);
      return child;
    }

    it('appends with increasing offsets and reads back key, value bytes and headers', async () => {
      const topic = unique('append');
      const appended = [
        record('lot-1', 'first', { 'content-type': 'avro/binary', 'event-id': 'e-1' }),
        { key: 'lot-1', value: Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]) },
        record('lot-1', 'third', { traceparent: '00-abc-def-01' }),
      ];
      const before = Date.now();
      const receipts = [
        ...(await log.append(topic, appended.slice(0, 2))),
        ...(await log.append(topic, appended.slice(2))),
      ];

      expect(receipts).toHaveLength(3);
      const offsets = receipts.map((receipt) => receipt.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(offsets).size).toBe(3);
      for (const [index, receipt] of receipts.entries()) {
        const { partition, offset } = receipt;
        const [stored] = await log.read(topic, { partition, fromOffset: offset, maxRecords: 1 });
        expect(stored).toMatchObject({ topic, ...receipt });
        expect(stored?.timestamp).toBeGreaterThanOrEqual(before - 1_000);
        expect(Buffer.isBuffer(stored?.value)).toBe(true);
        expect(content(stored)).toEqual({ headers: {}, ...appended[index] });
      }
    });

    it('delivers the records of each key in append order', async () => {
      const topic = unique('ordering');
      const keys = ['lot-a', 'lot-b', 'lot-c'];
      const appended = Array.from({ length: 30 }, (_, index) =>
        record(keys[(index * index) % keys.length] ?? 'lot-a', `record ${index}`),
      );
      for (let start = 0; start < appended.length; start += (start % 4) + 1) {
        await log.append(topic, appended.slice(start, start + (start % 4) + 1));
      }

      const consumer = await collect({ topic, groupId: unique('group'), maxBatchSize: 4 });
      await consumer.until(appended.length);

      expect(consumer.handled).toHaveLength(appended.length);
      expect(textsByKey(consumer.handled)).toEqual(textsByKey(appended));
    });

    it('gives each group every record and keeps their committed offsets apart', async () => {
      const topic = unique('groups');
      const [fast, blocked] = [unique('fast'), unique('blocked')];
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      releases.push(release);
      const blockedHandled: StoredRecord[] = [];
      subscriptions.push(
        await log.subscribe({
          topic,
          groupId: blocked,
          handleBatch: async (batch) => {
            blockedHandled.push(...batch);
            await gate;
          },
        }),
      );
      const fastConsumer = await collect({ topic, groupId: fast });
      const receipts = await log.append(topic, [record('lot-1', 'a'), record('lot-1', 'b')]);

      await fastConsumer.until(2);
      await pollUntil(() => blockedHandled.length >= 2, {
        what: 'the blocked group to get 2 records',
      });
      const fastDone = nextOffsets(receipts);
      await pollUntil(async () => (await log.committedOffsets(topic, fast)).size > 0, {
        what: 'the fast group to commit',
      });
      expect(await log.committedOffsets(topic, fast)).toEqual(fastDone);
      expect(await log.committedOffsets(topic, blocked)).toEqual(new Map());

      release();
      await pollUntil(async () => (await log.committedOffsets(topic, blocked)).size > 0, {
        what: 'the released group to commit',
      });
      expect(await log.committedOffsets(topic, blocked)).toEqual(fastDone);
      expect(positions(blockedHandled)).toEqual(positions(receipts));
      expect(positions(fastConsumer.handled)).toEqual(positions(receipts));
    });

    it('resumes a group after the records it committed', async () => {
      const topic = unique('resume');
      const groupId = unique('group');
      const early = await log.append(topic, [record('lot-1', '1'), record('lot-1', '2')]);
      const first = await collect({ topic, groupId });
      await first.until(early.length);
      await first.subscription.stop();
      expect(await log.committedOffsets(topic, groupId)).toEqual(nextOffsets(early));

      const later = await log.append(topic, [record('lot-1', '3'), record('lot-1', '4')]);
      const second = await collect({ topic, groupId });
      await second.until(later.length);

      expect(positions(second.handled)).toEqual(positions(later));
      expect(second.handled.map((stored) => String(stored.value))).toEqual(['3', '4']);
    });

    it('resumes where the subscriber says it stands, whatever its group committed', async () => {
      const topic = unique('resume-at');
      const groupId = unique('group');
      const receipts = await log.append(topic, [record('lot-1', '1'), record('lot-1', '2')]);
      const first = await collect({ topic, groupId });
      await first.until(receipts.length);
      await first.subscription.stop();
      expect(await log.committedOffsets(topic, groupId)).toEqual(nextOffsets(receipts));

      // A replica that lost what it wrote: it stands at the second record again.
      const [, second] = receipts;
      const resumed = await collect({
        topic,
        groupId,
        resumeAt: (partition) => (partition === second?.partition ? second.offset : 0),
      });
      await resumed.until(1);

      expect(positions(resumed.handled)).toEqual(positions(receipts.slice(1)));
      expect(resumed.handled.map((stored) => String(stored.value))).toEqual(['2']);
    });

    it('forgets a group of its own once its subscription stops, when the subscriber asks', async () => {
      const topic = unique('own-group');
      const receipts = await log.append(topic, [record('lot-1', '1'), record('lot-1', '2')]);
      const kept = { topic, groupId: unique('group') };
      const owned = { topic, groupId: unique('group'), deleteGroupOnStop: true };
      const keeping = await collect(kept);
      const forgetting = await collect(owned);
      await keeping.until(receipts.length);
      await forgetting.until(receipts.length);
      await keeping.subscription.stop();
      await forgetting.subscription.stop();

      // Both read and committed alike; only the one that asked is gone once stopped.
      expect(await log.committedOffsets(topic, kept.groupId)).toEqual(nextOffsets(receipts));
      expect(await log.committedOffsets(topic, owned.groupId)).toEqual(new Map());
    });

    it("starts a group without a committed offset at the end when asked for 'latest'", async () => {
      const topic = unique('latest');
      const options = { topic, groupId: unique('group'), startAt: 'latest' } as const;
      await log.append(topic, [record('lot-1', 'before the group existed')]);
      const first = await collect(options);
      await log.append(topic, [record('lot-1', 'after subscribe')]);
      await first.until(1);
      await first.subscription.stop();

      await log.append(topic, [record('lot-1', 'while stopped')]);
      const second = await collect(options);
      await second.until(1);

      expect(first.handled.map((stored) => String(stored.value))).toEqual(['after subscribe']);
      expect(second.handled.map((stored) => String(stored.value))).toEqual(['while stopped']);
    });

    it('redelivers a batch whose handler rejected, skipping nothing', async () => {
      const topic = unique('reject');
      const receipts = await log.append(
        topic,
        Array.from({ length: 6 }, (_, index) => record('lot-1', `record ${index}`)),
      );
      const deliveries: Position[][] = [];
      const handled: StoredRecord[] = [];
      let failuresLeft = 2;
      subscriptions.push(
        await log.subscribe({
          topic,
          groupId: unique('group'),
          maxBatchSize: 4,
          handleBatch: (batch) => {
            deliveries.push(positions(batch));
            if (failuresLeft-- > 0) return Promise.reject(new Error('simulated handler failure'));
            handled.push(...batch);
            return Promise.resolve();
          },
        }),
      );

      await pollUntil(() => handled.length >= receipts.length, { what: 'all records handled' });

      const [failed, retried, succeeded] = deliveries;
      expect(retried?.[0]).toEqual(failed?.[0]);
      expect(succeeded?.[0]).toEqual(failed?.[0]);
      expect(positions(handled)).toEqual(positions(receipts));
    });

    it('redelivers records to the group when a consumer process dies before committing', async () => {
      const topic = unique('crash');
      const groupId = unique('group');
      const receipts = await log.append(topic, [record('lot-1', 'x'), record('lot-2', 'y')]);
      const child = startChild({ mode: 'consume', config: adapter.config, topic, groupId });
      const seenByChild = await pollUntil(
        () => {
          const seen = child.lines().flat();
          return seen.length > 0 ? seen : undefined;
        },
        {
          timeoutMs: CHILD_TIMEOUT_MS,
          what: 'the child consumer to report records',
        },
      );
      await child.kill();
      expect(await log.committedOffsets(topic, groupId)).toEqual(new Map());

      const successor = await collect({ topic, groupId });
      await successor.until(receipts.length);

      // The two keys may live in different partitions, which are delivered independently.
      expect(sortedPositions(successor.handled)).toEqual(sortedPositions(receipts));
      expect(positions(successor.handled)).toEqual(expect.arrayContaining(seenByChild));
    });

    it('replays from any offset, in order, as often as asked', async () => {
      const topic = unique('replay');
      const appended = Array.from({ length: 10 }, (_, index) => record('lot-1', `record ${index}`));
      const receipts = [
        ...(await log.append(topic, appended.slice(0, 3))),
        ...(await log.append(topic, appended.slice(3))),
      ];
      const from = receipts[4] ?? { partition: 0, offset: 0 };

      const { partition } = from;
      const replay = () => log.read(topic, { partition, fromOffset: from.offset, maxRecords: 100 });
      const replayed = await replay();

      expect(positions(replayed)).toEqual(positions(receipts.slice(4)));
      expect(replayed.map(content)).toEqual(appended.slice(4).map((r) => ({ headers: {}, ...r })));
      expect(positions(await replay())).toEqual(positions(replayed));
      const limited = await log.read(topic, { partition, fromOffset: from.offset, maxRecords: 3 });
      expect(positions(limited)).toEqual(positions(receipts.slice(4, 7)));
    });

    it('keeps every acknowledged append when the writing process is killed', async () => {
      const topic = unique('durability');
      const job = { mode: 'append', config: adapter.config, topic, recordsPerAppend: 5 } as const;
      // Far more appends than the child gets through before it is killed, even on a fast disk.
      const child = startChild({ ...job, appends: 1_000 });
      await pollUntil(() => child.lines().length >= 50, {
        timeoutMs: CHILD_TIMEOUT_MS,
        what: 'the child to acknowledge 50 appends',
      });
      const exit = await child.kill();
      expect(exit.signal).toBe('SIGKILL');

      const acknowledged = exit.lines.flatMap((receipts, appendIndex) =>
        receipts.map((receipt, index) => ({ ...receipt, record: childRecord(appendIndex, index) })),
      );
      const reopened = adapter.create();
      try {
        for (const partition of new Set(acknowledged.map((entry) => entry.partition))) {
          const expected = acknowledged.filter((entry) => entry.partition === partition);
          const offsets = expected.map((entry) => entry.offset);
          expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
          const first = offsets[0] ?? 0;
          const stored = await reopened.read(topic, {
            partition,
            fromOffset: first,
            maxRecords: (offsets.at(-1) ?? first) - first + 1,
          });
          const byOffset = new Map(stored.map((found) => [found.offset, found]));
          expect(expected.map((entry) => content(byOffset.get(entry.offset)))).toEqual(
            expected.map((entry) => ({ headers: {}, ...entry.record })),
          );
        }
      } finally {
        await reopened.close();
      }
    });
  });
}
