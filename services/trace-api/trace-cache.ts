/**
 * Regulators' traces, kept as the bytes last answered until a write to the serving index could
 * change them. A trace is the same for every regulator, and during an incident many ask for the
 * same few batches again and again: a kept answer costs a lookup instead of a walk, its reads and
 * its serialisation.
 *
 * An answer is kept with the batches it lists, and dropped as soon as a committed write names one
 * of them (or could reach any answer: serving-changes.ts). An answer computed while a write naming
 * one of its batches came in is not kept, since it may have read either side of that write; writes
 * naming other batches, which are most of them under ingest, do not stop it. Least recently used
 * answers go first once the kept bytes reach the budget.
 */
import { LRUCache } from 'lru-cache';
import type { ServingChange } from '../common/serving/serving-changes.js';

/** A computed answer and the batches it lists. */
export interface BuiltAnswer {
  readonly answer: Buffer;
  readonly batchIds: readonly string[];
}

export interface TraceCache {
  /**
   * The answer under `key`: the one kept; or the one being built for an earlier request, if no
   * write came in since it began; or `build`'s, then kept as `set` keeps it.
   */
  answer(key: string, build: () => Promise<BuiltAnswer>): Promise<Buffer>;
  /** The answer kept under `key`, if any. */
  get(key: string): Buffer | undefined;
  /** To be called before computing an answer, and handed to `set` with it. */
  begin(): number;
  /** Keeps `answer`, unless a write naming one of `batchIds` came in since `begun`. */
  set(key: string, answer: Buffer, batchIds: Iterable<string>, begun: number): void;
  /** Drops the answers a committed write can change. */
  invalidate(change: ServingChange): void;
  /** How many answers are kept, and their bytes. */
  size(): { entries: number; bytes: number };
}

/**
 * Batches whose last write is remembered, to tell answers begun before it; past it the memory is
 * let go, and every answer begun before then is refused as if each batch had been written.
 */
const TOUCHED_REMEMBERED = 100_000;

interface Kept {
  /** UTF-8, as sent: a hit is written out without encoding a string again. */
  readonly answer: Buffer;
  readonly batchIds: readonly string[];
}

export function createTraceCache(options: { readonly maxBytes: number }): TraceCache {
  /** Batch id → the keys of the kept answers that list it. */
  const keysOf = new Map<string, Set<string>>();
  /** Counts the writes; an answer's computation starts at one. */
  let generation = 0;
  /** Answers begun before this are not kept (a write reaching them all, or a forgotten one). */
  let floor = 0;
  /** Batch id → the write that last named it. */
  const touchedAt = new Map<string, number>();
  /** Answers being built, with the write count they began at. */
  const building = new Map<string, { readonly begun: number; readonly answer: Promise<Buffer> }>();
  const kept = new LRUCache<string, Kept>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.answer.length),
    dispose: (entry, key) => {
      for (const batchId of entry.batchIds) {
        const keys = keysOf.get(batchId);
        keys?.delete(key);
        if (keys?.size === 0) keysOf.delete(batchId);
      }
    },
  });
  const cache: TraceCache = {
    answer(key, build) {
      const found = kept.get(key)?.answer;
      if (found) return Promise.resolve(found);
      // Many clients asking for the same trace at once share one walk, while no write came in.
      const running = building.get(key);
      if (running?.begun === generation) return running.answer;
      const begun = generation;
      const answer = build().then((built) => {
        cache.set(key, built.answer, built.batchIds, begun);
        return built.answer;
      });
      const entry = { begun, answer };
      building.set(key, entry);
      const done = () => {
        if (building.get(key) === entry) building.delete(key);
      };
      answer.then(done, done);
      return answer;
    },
    get: (key) => kept.get(key)?.answer,
    begin: () => generation,
    set(key, answer, batchIds, begun) {
      if (begun < floor) return;
      const ids = [...new Set(batchIds)];
      if (ids.some((batchId) => (touchedAt.get(batchId) ?? 0) > begun)) return;
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
        touchedAt.clear();
        floor = generation;
        return;
      }
      for (const batchId of change) {
        touchedAt.set(batchId, generation);
        const keys = keysOf.get(batchId);
        if (!keys) continue;
        for (const key of [...keys]) kept.delete(key);
      }
      if (touchedAt.size > TOUCHED_REMEMBERED) {
        touchedAt.clear();
        floor = generation;
      }
    },
    size: () => ({ entries: kept.size, bytes: kept.calculatedSize }),
  };
  return cache;
}
