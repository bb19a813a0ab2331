/**
 * The rule a consumer isolates refused records by (services/common/log/isolate-refused.ts): for
 * any batch and any set of records the store refuses, exactly those are set aside and every other
 * is handled; a failure that is not a refusal sets nothing aside and reaches the subscription.
 * Pure: the handler is a function of the records it gets, as a store's insert is of its rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleIsolating } from '../../../../services/common/log/isolate-refused.js';

class Refused extends Error {}
class Unreachable extends Error {}

const batches = fc
  .array(fc.boolean(), { minLength: 0, maxLength: 64 })
  .map((refused) => refused.map((bad, offset) => ({ offset, bad })));
type Item = { offset: number; bad: boolean };

/** A handler that refuses any call holding a bad item, and records what it wrote. */
function storeLike() {
  const written = new Set<number>();
  let calls = 0;
  return {
    written,
    calls: () => calls,
    handle: (items: readonly Item[]) => {
      calls += 1;
      if (items.some((item) => item.bad)) return Promise.reject(new Refused('bad value'));
      for (const item of items) written.add(item.offset);
      return Promise.resolve();
    },
  };
}
const isRefusal = (error: unknown) => Promise.resolve(error instanceof Refused);

describe('handling a batch with refused records isolated', () => {
  it('sets aside exactly the refused records, in order, and handles every other', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (items) => {
        const store = storeLike();
        const refused = await handleIsolating(items, { handle: store.handle, isRefusal });
        expect(refused.map(({ item }) => item.offset)).toEqual(
          items.filter((item) => item.bad).map((item) => item.offset),
        );
        expect(refused.every(({ error }) => error instanceof Refused)).toBe(true);
        expect([...store.written].sort((a, b) => a - b)).toEqual(
          items.filter((item) => !item.bad).map((item) => item.offset),
        );
        // Bisection: one bad record among n costs about 2·log2(n) calls, not n.
        const bad = refused.length;
        if (bad <= 1)
          expect(store.calls()).toBeLessThanOrEqual(2 + 2 * Math.ceil(Math.log2(items.length + 1)));
      }),
      { numRuns: 300 },
    );
  });

  it('retries a refused batch whole once before splitting it', async () => {
    let calls = 0;
    const refused = await handleIsolating([1, 2, 3], {
      handle: () => (++calls === 1 ? Promise.reject(new Refused('once')) : Promise.resolve()),
      isRefusal,
    });
    expect(refused).toEqual([]);
    expect(calls).toBe(2);
  });

  it('sets nothing aside when the failure is not a refusal: the store out of reach', async () => {
    await fc.assert(
      fc.asyncProperty(batches, fc.nat(), async (items, pick) => {
        if (items.length === 0) return;
        const clean = storeLike();
        await handleIsolating(items, { handle: clean.handle, isRefusal });
        // The store goes away at one of the calls the isolation makes, and stays away.
        const failAt = (pick % clean.calls()) + 1;
        const store = storeLike();
        const outcome = handleIsolating(items, {
          handle: (part) =>
            store.calls() + 1 >= failAt
              ? Promise.reject(new Unreachable('down'))
              : store.handle(part),
          isRefusal,
        });
        await expect(outcome).rejects.toBeInstanceOf(Unreachable);
      }),
      { numRuns: 200 },
    );
  });

  it('asks about every failure, so a refusal from a store going away is not taken for bad data', async () => {
    let storeAnswers = true;
    const outcome = handleIsolating([{ offset: 0, bad: true }], {
      handle: () => {
        storeAnswers = false; // the store fails this request and is gone when asked after it
        return Promise.reject(new Refused('connection reset'));
      },
      isRefusal: (error) => Promise.resolve(error instanceof Refused && storeAnswers),
    });
    await expect(outcome).rejects.toBeInstanceOf(Refused);
  });
});
