/**
 * Runs work while holding every one of a set of keys, so two requests carrying the same eventId
 * in this process are settled one after the other. Keys are taken in sorted order (no deadlock).
 */
export function createKeyedLock() {
  const tails = new Map<string, Promise<void>>();
  return {
    async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
      const sorted = [...new Set(keys)].sort();
      const previous = sorted.map((key) => tails.get(key) ?? Promise.resolve());
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      for (const key of sorted) tails.set(key, held);
      await Promise.all(previous);
      try {
        return await work();
      } finally {
        release();
        for (const key of sorted) if (tails.get(key) === held) tails.delete(key);
      }
    },
  };
}
