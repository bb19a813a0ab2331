import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../../../services/common/log/event-log.js';
import { createRecentRecords } from '../../../../services/common/log/recent-records.js';

const TOPIC = 'events';

/** The log's rows: each read from it makes new objects, as a read from SQLite does. */
function fakeLog() {
  let length = 0;
  const reads: Array<{ from: number; max: number }> = [];
  const row = (offset: number): StoredRecord => ({
    topic: TOPIC,
    partition: 0,
    offset,
    key: `k${offset}`,
    value: Buffer.from(`v${offset}`),
    headers: {},
    timestamp: offset,
  });
  return {
    append: (count: number) => void (length += count),
    get length() {
      return length;
    },
    reads,
    readStore: (from: number, max: number) => {
      reads.push({ from, max });
      return Array.from({ length: Math.max(0, Math.min(max, length - from)) }, (_, i) =>
        row(from + i),
      );
    },
  };
}

const step = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 30 }) }),
  fc.record({
    kind: fc.constant('read' as const),
    group: fc.integer({ min: 0, max: 3 }),
    max: fc.integer({ min: 1, max: 12 }),
    // A handler that failed reads the same records again.
    again: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('release' as const), group: fc.integer({ min: 0, max: 3 }) }),
);

describe('the records one subscription read, kept for the others', () => {
  it('answers every read as the log does, keeps at most its limit, and nothing all have passed', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 120 }),
        fc.integer({ min: 1, max: 40 }),
        (steps, max) => {
          const log = fakeLog();
          const recent = createRecentRecords(max);
          const next = new Map<number, number>();
          for (const s of steps) {
            if (s.kind === 'append') log.append(s.count);
            else if (s.kind === 'release') {
              next.delete(s.group);
              recent.release(TOPIC, `g${s.group}`);
            } else {
              const from = next.get(s.group) ?? 0;
              const records = recent.read(TOPIC, `g${s.group}`, from, s.max, log.readStore);
              const expected = Math.max(0, Math.min(s.max, log.length - from));
              expect(records.map((r) => r.offset)).toEqual(
                Array.from({ length: expected }, (_, i) => from + i),
              );
              for (const r of records) expect(r.value.toString()).toBe(`v${r.offset}`);
              if (!s.again) next.set(s.group, from + records.length);
            }
            expect(recent.kept(TOPIC)).toBeLessThanOrEqual(max);
          }
          for (const group of [0, 1, 2, 3]) recent.release(TOPIC, `g${group}`);
          expect(recent.kept(TOPIC)).toBe(0);
        },
      ),
    );
  });

  it('hands a second subscription the first one’s records, without reading the log again', () => {
    const log = fakeLog();
    log.append(100);
    const recent = createRecentRecords(1_000);
    const first = recent.read(TOPIC, 'projector', 0, 60, log.readStore);
    const second = recent.read(TOPIC, 'proofs', 0, 100, log.readStore);
    expect(second.slice(0, 60)).toEqual(first);
    for (const [i, record] of first.entries()) expect(second[i]).toBe(record);
    // Only what the first did not read comes from the log.
    expect(log.reads).toEqual([
      { from: 0, max: 60 },
      { from: 60, max: 40 },
    ]);
  });

  /** Ten records, the reads of each group in turn, and how many are kept after them. */
  function keptAfter(reads: ReadonlyArray<[group: string, from: number, max: number]>) {
    const log = fakeLog();
    log.append(10);
    const recent = createRecentRecords(1_000);
    for (const [group, from, max] of reads) recent.read(TOPIC, group, from, max, log.readStore);
    return { recent, kept: recent.kept(TOPIC) };
  }

  it('forgets a record once every subscription has read past it', () => {
    const apart = keptAfter([
      ['a', 0, 10],
      ['b', 0, 4],
    ]);
    expect(apart.kept).toBe(10);
    const passed = keptAfter([
      ['a', 0, 10],
      ['b', 0, 4],
      ['b', 4, 10],
      ['a', 10, 10],
      ['b', 10, 10],
    ]);
    expect(passed.kept).toBe(0);
  });

  it('keeps a stopped subscription’s records no longer', () => {
    const { recent, kept } = keptAfter([
      ['stopped', 0, 2],
      ['fast', 0, 10],
      ['fast', 10, 10],
    ]);
    expect(kept).toBe(10);
    recent.release(TOPIC, 'stopped');
    expect(recent.kept(TOPIC)).toBe(0);
  });
});
