import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../../services/ingest/group-commit.js';

/** A run that holds until released, recording the groups it was given. */
function heldRuns() {
  const groups: number[][] = [];
  const releases: Array<(fail?: Error) => void> = [];
  const run = groupCommit(async (items: readonly number[]) => {
    groups.push([...items]);
    await new Promise<void>((resolve, reject) =>
      releases.push((fail) => (fail ? reject(fail) : resolve())),
    );
    return items.map((item) => item * 10);
  });
  const release = (fail?: Error) => releases.shift()?.(fail);
  return { run, groups, release };
}

describe('groupCommit', () => {
  it('runs a lone caller at once', async () => {
    const { run, groups, release } = heldRuns();
    const answer = run(1);
    expect(groups).toEqual([[1]]);
    release();
    expect(await answer).toBe(10);
  });

  it('sends the callers that arrive during a run together in the next, each with its result', async () => {
    const { run, groups, release } = heldRuns();
    const first = run(1);
    const later = [run(2), run(3), run(4)];
    expect(groups).toEqual([[1]]);
    release();
    await first;
    await settled(() => groups.length === 2);
    expect(groups).toEqual([[1], [2, 3, 4]]);
    release();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('fails only the group whose run failed, and goes on', async () => {
    const { run, groups, release } = heldRuns();
    const failing = run(1);
    const next = run(2);
    release(new Error('store down'));
    await expect(failing).rejects.toThrow('store down');
    await settled(() => groups.length === 2);
    release();
    expect(await next).toBe(20);
  });
});

/** Polls a condition on the event loop (no timers): the runs above settle in microtasks. */
async function settled(condition: () => boolean) {
  for (let i = 0; i < 100 && !condition(); i++) await Promise.resolve();
  expect(condition()).toBe(true);
}
