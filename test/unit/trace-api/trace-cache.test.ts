import { describe, expect, it } from 'vitest';
import { createTraceCache } from '../../../services/trace-api/trace-cache.js';

const keep = (
  cache: ReturnType<typeof createTraceCache>,
  key: string,
  answer: string,
  batchIds: string[],
) => cache.set(key, Buffer.from(answer), batchIds, cache.begin());
const read = (cache: ReturnType<typeof createTraceCache>, key: string) =>
  cache.get(key)?.toString();

describe('the trace cache', () => {
  it('drops the answers that list a batch a write names, and keeps the others', () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    keep(cache, 'up A', 'answer 1', ['A', 'B']);
    keep(cache, 'down C', 'answer 2', ['C']);
    cache.invalidate(new Set(['B', 'Z']));
    expect(read(cache, 'up A')).toBeUndefined();
    expect(read(cache, 'down C')).toBe('answer 2');
    cache.invalidate('all');
    expect(read(cache, 'down C')).toBeUndefined();
    expect(cache.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('does not keep an answer computed while a write naming one of its batches came in', () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    const begun = cache.begin();
    // A write naming another batch does not reach it; one naming its batch may have been read
    // on either side.
    cache.invalidate(new Set(['elsewhere']));
    cache.set('up B', Buffer.from('answer beside a write'), ['B'], begun);
    expect(read(cache, 'up B')).toBe('answer beside a write');
    cache.invalidate(new Set(['A']));
    cache.set('up A', Buffer.from('answer read across a write'), ['A', 'C'], begun);
    expect(read(cache, 'up A')).toBeUndefined();
    keep(cache, 'up A', 'answer after it', ['A', 'C']);
    expect(read(cache, 'up A')).toBe('answer after it');
    // A write that reaches every answer refuses every answer begun before it.
    const before = cache.begin();
    cache.invalidate('all');
    cache.set('down D', Buffer.from('answer across a retraction'), ['D'], before);
    expect(read(cache, 'down D')).toBeUndefined();
  });

  it('keeps its bytes within the budget, the least recently read going first', () => {
    const cache = createTraceCache({ maxBytes: 100 });
    keep(cache, 'one', 'x'.repeat(40), ['A']); // 40 bytes
    keep(cache, 'two', 'y'.repeat(40), ['B']);
    expect(read(cache, 'one')).toBeDefined();
    keep(cache, 'three', 'z'.repeat(40), ['C']);
    expect(read(cache, 'two')).toBeUndefined();
    expect(read(cache, 'one')).toBeDefined();
    expect(cache.size().bytes).toBeLessThanOrEqual(100);
    // An answer over the whole budget is not kept, and a write naming its batches finds nothing.
    keep(cache, 'huge', 'h'.repeat(120), ['D']);
    expect(read(cache, 'huge')).toBeUndefined();
    cache.invalidate(new Set(['D', 'A']));
    expect(read(cache, 'one')).toBeUndefined();
    expect(read(cache, 'three')).toBeDefined();
  });

  it('forgets a dropped answer’s batches, so a later write finds only what is kept', () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    keep(cache, 'up A', 'first', ['A']);
    keep(cache, 'up A', 'second', ['B']);
    cache.invalidate(new Set(['A']));
    expect(read(cache, 'up A')).toBe('second');
    cache.invalidate(new Set(['B']));
    expect(read(cache, 'up A')).toBeUndefined();
  });
});

describe('answers being built', () => {
  it('are shared by the requests that ask meanwhile, unless a write came in since they began', async () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    let builds = 0;
    const finishers: Array<() => void> = [];
    const build = () => {
      builds += 1;
      const answer = Buffer.from(`answer ${builds}`);
      return new Promise<{ answer: Buffer; batchIds: string[] }>((resolve) => {
        finishers.push(() => resolve({ answer, batchIds: ['A'] }));
      });
    };
    const first = cache.answer('up A', build);
    const second = cache.answer('up A', build);
    expect(builds).toBe(1);
    // A write elsewhere: a request after it may not take an answer begun before it.
    cache.invalidate(new Set(['elsewhere']));
    const third = cache.answer('up A', build);
    expect(builds).toBe(2);
    for (const finish of finishers) finish();
    expect((await third).toString()).toBe('answer 2');
    expect((await first).toString()).toBe('answer 1');
    expect((await second).toString()).toBe('answer 1');
    expect(cache.get('up A')?.toString()).toBe('answer 2');
  });
});
