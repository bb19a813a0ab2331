/**
 * Group commit: callers that arrive while a run is in flight wait for it to finish and then go
 * together in the next run. A lone caller runs at once; under concurrency one store round trip
 * serves many requests instead of each queueing its own behind the others.
 */
export function groupCommit<Item, Result>(
  run: (items: readonly Item[]) => Promise<readonly Result[]>,
): (item: Item) => Promise<Result> {
  interface Waiter {
    readonly item: Item;
    readonly resolve: (result: Result) => void;
    readonly reject: (error: unknown) => void;
  }
  let waiting: Waiter[] = [];
  let running = false;

  const drain = async () => {
    running = true;
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        const results = await run(group.map((waiter) => waiter.item));
        group.forEach((waiter, i) => waiter.resolve(results[i] as Result));
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    running = false;
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
