import { expect, it } from 'vitest';
import { slicesInTurns } from '../../../../services/common/runtime/slices-in-turns.js';

it('hands every item over in order, a slice at a time, letting other work run between slices', async () => {
  const seen: string[] = [];
  // Queued before the work starts: it must run after the first slice and before the second.
  setImmediate(() => seen.push('other'));
  await slicesInTurns([1, 2, 3, 4, 5], 2, (slice) => seen.push(slice.join('+')));
  expect(seen).toEqual(['1+2', 'other', '3+4', '5']);
});

it('does the work of a single slice at once, and none for no items', async () => {
  const seen: string[] = [];
  const done = slicesInTurns([1, 2], 2, (slice) => seen.push(slice.join('+')));
  expect(seen).toEqual(['1+2']);
  await done;
  await slicesInTurns([], 2, () => seen.push('empty'));
  expect(seen).toEqual(['1+2']);
});
