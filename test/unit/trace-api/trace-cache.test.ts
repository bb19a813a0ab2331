import { describe, expect, it } from 'vitest';
import { createTraceCache } from '../../../services/trace-api/trace-cache.js';

const keep = (
  cache: ReturnType<typeof createTraceCache>,
  key: string,
  answer: string,
  batchIds: string[],
) => cache.set(key, answer, batchIds, cache.begin());

describe('the trace cache', () => {
  it('drops the answers that list a batch a write names, and keeps the others', () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    keep(cache, 'up A', 'answer 1', ['A', 'B']);
    keep(cache, 'down C', 'answer 2', ['C']);
    cache.invalidate(new Set(['B', 'Z']));
    expect(cache.get('up A')).toBeUndefined();
    expect(cache.get('down C')).toBe('answer 2');
    cache.invalidate('all');
    expect(cache.get('down C')).toBeUndefined();
    expect(cache.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('does not keep an answer computed while a write came in', () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    const begun = cache.begin();
    // The write names another batch: the answer may still have read either side of it.
    cache.invalidate(new Set(['elsewhere']));
    cache.set('up A', 'answer read across a write', ['A'], begun);
    expect(cache.get('up A')).toBeUndefined();
    keep(cache, 'up A', 'answer after it', ['A']);
    expect(cache.get('up A')).toBe('answer after it');
  });

  it('keeps its bytes within the budget, the least recently read going first', () => {
    const cache = createTraceCache({ maxBytes: 100 });
    keep(cache, 'one', 'x'.repeat(20), ['A']); // 40 bytes
    keep(cache, 'two', 'y'.repeat(20), ['B']);
    expect(cache.get('one')).toBeDefined();
    keep(cache, 'three', 'z'.repeat(20), ['C']);
    expect(cache.get('two')).toBeUndefined();
    expect(cache.get('one')).toBeDefined();
    expect(cache.size().bytes).toBeLessThanOrEqual(100);
    // An answer over the whole budget is not kept, and a write naming its batches finds nothing.
    keep(cache, 'huge', 'h'.repeat(60), ['D']);
    expect(cache.get('huge')).toBeUndefined();
    cache.invalidate(new Set(['D', 'A']));
    expect(cache.get('one')).toBeUndefined();
    expect(cache.get('three')).toBeDefined();
  });

  it('forgets a dropped answer’s batches, so a later write finds only what is kept', () => {
    const cache = createTraceCache({ maxBytes: 1_000_000 });
    keep(cache, 'up A', 'first', ['A']);
    keep(cache, 'up A', 'second', ['B']);
    cache.invalidate(new Set(['A']));
    expect(cache.get('up A')).toBe('second');
    cache.invalidate(new Set(['B']));
    expect(cache.get('up A')).toBeUndefined();
  });
});
