/**
 * One record a consumer cannot process must not stop it for everyone (issue 13). A consumer hands
 * its batch to `handleIsolating`: the batch is tried whole and, when it fails in a way `isRefusal`
 * blames on the records themselves, tried once more, then split in halves, each half split again
 * while it fails, down to the records that fail alone. Those come back with their error, for the
 * dead-letter topic; every other record has been handled. Any other failure (the store or the log
 * out of reach) is thrown at once, so the subscription delivers the whole batch again later and
 * nothing is set aside while the store cannot be reached.
 *
 * Handlers must be idempotent: records of a half that failed are handled again within its halves.
 */

export interface Refusal<T> {
  readonly item: T;
  /** The error the item failed with when handled alone. */
  readonly error: unknown;
}

export interface IsolationOptions<T> {
  readonly handle: (items: readonly T[]) => Promise<void>;
  /**
   * True when the error is the items' fault: handling them again would fail again. Asked after
   * every failure; may check that the store still answers (a refusal from a store that is going
   * away is not the records' fault).
   */
  readonly isRefusal: (error: unknown) => Promise<boolean>;
}

/** Handles `items`, and returns those that fail alone; rethrows any failure that is no refusal. */
export async function handleIsolating<T>(
  items: readonly T[],
  options: IsolationOptions<T>,
): Promise<Array<Refusal<T>>> {
  if (items.length === 0 || (await attempt(items, options)) === undefined) return [];
  const again = await attempt(items, options);
  return again === undefined ? [] : split(items, again.error, options);
}

/** Handles the items; resolves to the refusal when they are refused, throws any other failure. */
async function attempt<T>(
  items: readonly T[],
  options: IsolationOptions<T>,
): Promise<{ error: unknown } | undefined> {
  try {
    await options.handle(items);
    return undefined;
  } catch (error) {
    if (await options.isRefusal(error)) return { error };
    throw error;
  }
}

async function split<T>(
  items: readonly T[],
  error: unknown,
  options: IsolationOptions<T>,
): Promise<Array<Refusal<T>>> {
  const [only] = items;
  if (items.length === 1 && only !== undefined) return [{ item: only, error }];
  const middle = Math.ceil(items.length / 2);
  const refused: Array<Refusal<T>> = [];
  // In order, so that a consumer for which order matters sees the records as the log has them.
  for (const half of [items.slice(0, middle), items.slice(middle)]) {
    const refusal = await attempt(half, options);
    if (refusal) refused.push(...(await split(half, refusal.error, options)));
  }
  return refused;
}
