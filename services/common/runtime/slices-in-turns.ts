import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Hands `items` to `work` a slice of `size` at a time, each slice after the first in a turn of the
 * event loop of its own: a large batch then never holds the thread that also answers HTTP for
 * longer than one slice takes.
 */
export async function slicesInTurns<T>(
  items: readonly T[],
  size: number,
  work: (slice: readonly T[]) => void,
): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    if (start > 0) await nextTurn();
    work(items.slice(start, start + size));
  }
}
