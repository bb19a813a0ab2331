/**
 * The turns of the event loop that the serving index's large reads take (lmdb-trace-reads.ts,
 * `YIELD_AT_IDS`): one read a turn, so a request that is not a walk waits for one read, not for
 * one of every walk in progress.
 */

/**
 * Runs reads one per turn of the event loop: of those waiting, the read of the walk that began
 * first, and of one walk's, the one asked first.
 */
export function turnsByWalk() {
  let walks = 0;
  const waiting: Array<{ readonly walk: number; readonly run: () => void }> = [];
  let scheduled = false;
  const runNext = () => {
    let first = 0;
    for (let i = 1; i < waiting.length; i += 1) {
      if ((waiting[i]?.walk ?? 0) < (waiting[first]?.walk ?? 0)) first = i;
    }
    const [read] = waiting.splice(first, 1);
    read?.run();
    // A read the walk asks next comes in the microtasks after this; the next turn sees it.
    scheduled = waiting.length > 0;
    if (scheduled) setImmediate(runNext);
  };
  return {
    newWalk: () => (walks += 1),
    inItsTurn<R>(walk: number, read: () => R): Promise<R> {
      return new Promise<R>((resolve) => {
        // The read runs in `run`; a throw there becomes this promise's rejection.
        waiting.push({ walk, run: () => resolve(new Promise<R>((settle) => settle(read()))) });
        if (!scheduled) {
          scheduled = true;
          setImmediate(runNext);
        }
      });
    },
  };
}
