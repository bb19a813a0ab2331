/**
 * Regulators' traces, kept as the bytes last answered until a write to the serving index could
 * change them. A trace is the same for every regulator, and during an incident many ask for the
 * same few batches again and again: a kept answer costs a lookup instead of a walk, its reads and
 * its serialisation.
 *
 * An answer is kept with the batches it lists, and dropped as soon as a committed write names one
 * of them (or could reach any answer: serving-changes.ts). An answer computed while a write came
 * in is not kept, since it may have read either side of it. Least recently used answers go first
 * once the kept bytes reach the budget.
 */
import { LRUCache } from 'lru-cache';
import type { ServingChange } from '../common/serving/serving-changes.js';

export interface TraceCache {
  /** The answer kept under `key`, if any. */
  get(key: string): string | undefined;
  /** To be called before computing an answer, and handed to `set` with it. */
  begin(): number;
  /** Keeps `answer`, unless a write came in since `begun`. */
  set(key: string, answer: string, batchIds: Iterable<string>, begun: number): void;
  /** Drops the answers a committed write can change. */
  invalidate(change: ServingChange): void;
  /** How many answers are kept, and their bytes (UTF-16 code units counted twice). */
  size(): { entries: number; bytes: number };
}

interface Kept {
  readonly answer: string;
  readonly batchIds: readonly string[];
}

export function createTraceCache(options: { readonly maxBytes: number }): TraceCache {
  /** Batch id → the keys of the kept answers that list it. */
  const keysOf = new Map<string, Set<string>>();
  let generation = 0;
  const kept = new LRUCache<string, Kept>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.answer.length * 2),
    dispose: (entry, key) => {
      for (const batchId of entry.batchIds) {
        const keys = keysOf.get(batchId);
        keys?.delete(key);
        if (keys?.size === 0) keysOf.delete(batchId);
      }
    },
  });
  return {
    get: (key) => kept.get(key)?.answer,
    begin: () => generation,
    set(key, answer, batchIds, begun) {
      if (begun !== generation) return;
      const ids = [...new Set(batchIds)];
      kept.set(key, { answer, batchIds: ids });
      // An answer larger than the whole budget is not kept; then it names no batch either.
      if (!kept.has(key)) return;
      for (const batchId of ids) {
        const keys = keysOf.get(batchId);
        if (keys) keys.add(key);
        else keysOf.set(batchId, new Set([key]));
      }
    },
    invalidate(change) {
      generation += 1;
      if (change === 'all') {
        kept.clear();
        return;
      }
      for (const batchId of change) {
        const keys = keysOf.get(batchId);
        if (!keys) continue;
        for (const key of [...keys]) kept.delete(key);
      }
    },
    size: () => ({ entries: kept.size, bytes: kept.calculatedSize }),
  };
}
