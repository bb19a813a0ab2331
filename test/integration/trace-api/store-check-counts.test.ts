/**
 * The public checks of several trace-API instances counted in one store
 * (services/trace-api/public/store-check-counts.ts), here two counters over one chDB store as two
 * instances over one ClickHouse server: any interleaving of checks at either, with flushes at
 * any point, ends with each code's count the number of its checks, whichever instance is asked,
 * and no check lost or counted twice while a flush is being written (fast-check).
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import { ID_CHUNK } from '../../../services/common/store/query-in-chunks.js';
import type { Store } from '../../../services/common/store/store.js';
import { createStoreCheckCounter } from '../../../services/trace-api/public/store-check-counts.js';

let dir = '';
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-check-counts-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, createLogger({ level: 'silent', pretty: false }));
});
afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const counterOver = () =>
  createStoreCheckCounter({
    store,
    // Flushed by the test's steps only: the timer never fires within a run.
    flushIntervalMs: 3_600_000,
    thresholds: { networks: 3, checks: 1_000_000 },
  });

type Step = { kind: 'check'; at: 0 | 1; code: number } | { kind: 'flush'; at: 0 | 1 };

const step = fc.oneof(
  fc.record({
    kind: fc.constant('check' as const),
    at: fc.constantFrom(0 as const, 1 as const),
    code: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('flush' as const), at: fc.constantFrom(0 as const, 1 as const) }),
);

describe('public checks counted by two instances in one store', () => {
  it('counts each code whole at either instance, whatever the interleaving of checks and flushes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps: Step[]) => {
        run += 1;
        const instances = [counterOver(), counterOver()];
        const checked = new Map<string, number>();
        // Steps start without waiting for each other, as concurrent requests do.
        const running: Array<Promise<unknown>> = [];
        for (const s of steps) {
          const counter = instances[s.at]!;
          if (s.kind === 'flush') {
            running.push(counter.flush());
            continue;
          }
          const code = `RUN${run}-CODE${s.code}`;
          checked.set(code, (checked.get(code) ?? 0) + 1);
          running.push(Promise.resolve(counter.record(code, `10.0.${s.code}.1`)));
        }
        await Promise.all(running);
        await Promise.all(instances.map((counter) => counter.close()));
        // A fresh instance reads what both wrote: every check, once.
        const reader = counterOver();
        for (const [code, count] of checked) {
          expect((await reader.record(code, '10.9.9.1')).count).toBe(count + 1);
        }
        await reader.close();
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it('answers a check with the counts of both instances, and lists a code by the sum', async () => {
    const strict = (checks: number) =>
      createStoreCheckCounter({
        store,
        flushIntervalMs: 3_600_000,
        thresholds: { networks: 100, checks },
      });
    const [first, second] = [strict(5), strict(5)];
    // The property's codes share the store: only this code's row is looked at.
    const listed = async (counter: typeof first) =>
      (await counter.suspicious(1000)).filter((code) => code.code === 'SUM-1');
    for (let i = 1; i <= 3; i += 1) expect((await first.record('SUM-1', '10.1.1.1')).count).toBe(i);
    expect(await listed(first)).toEqual([]); // and written by the listing
    expect((await second.record('SUM-1', '10.2.2.1')).count).toBe(4);
    expect((await second.record('SUM-1', '10.2.2.1')).count).toBe(5);
    expect(await listed(second)).toEqual([
      expect.objectContaining({ code: 'SUM-1', count: 5, networks: 2, reasons: ['checks'] }),
    ]);
    await Promise.all([first.close(), second.close()]);
  });

  it('reads and flushes the totals of more codes at once than one statement may carry', async () => {
    const [first, second] = [counterOver(), counterOver()];
    await first.record('MANY-FIRST', '10.3.3.1');
    await first.record('MANY-LAST', '10.3.3.1');
    await first.flush();
    // Checked at once: one read of every code, the two known ones in different parts.
    const codes = [
      'MANY-FIRST',
      ...Array.from({ length: ID_CHUNK }, (_, i) => `MANY-${i}`),
      'MANY-LAST',
    ];
    const answers = await Promise.all(codes.map(async (code) => second.record(code, '10.4.4.1')));
    expect(answers.map((answer) => answer.count)).toEqual(
      codes.map((code) => (code === 'MANY-FIRST' || code === 'MANY-LAST' ? 2 : 1)),
    );
    await second.flush();
    const reader = counterOver();
    expect((await reader.record('MANY-LAST', '10.5.5.1')).count).toBe(3);
    expect((await reader.record(`MANY-${ID_CHUNK - 1}`, '10.5.5.1')).count).toBe(2);
    await Promise.all([first.close(), second.close(), reader.close()]);
  });
});
