/**
 * A scenario of the benchmark starts once the machine's cores have quieted down, or after a bound
 * saying they did not: the wait ends on the readings, and the cores are read from the machine.
 */
import { describe, expect, it } from 'vitest';
import {
  busyShare,
  cpuTimes,
  describeQuietWait,
  waitForQuietMachine,
  type CpuTimes,
} from './quiet-machine.js';

// The cores' readings are given, one per interval: a machine cannot be made to stay busy or idle
// on cue here, and what is tested is when the wait ends.
function readingsOf(busyShares: number[]) {
  let busy = 0;
  let total = 0;
  let read = 0;
  const readings: CpuTimes[] = [{ busy, total }];
  for (const share of busyShares) {
    busy += share * 1_000;
    total += 1_000;
    readings.push({ busy, total });
  }
  return {
    read: () => readings[Math.min(read++, readings.length - 1)] as CpuTimes,
    reads: () => read,
  };
}

describe('waitForQuietMachine', () => {
  it('starts once the cores have been quiet for the whole span, counting from the last busy interval', async () => {
    const cores = readingsOf([0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1]);
    const wait = await waitForQuietMachine({
      busyBelow: 0.25,
      forSeconds: 0.003,
      everyMs: 1,
      atMostSeconds: 10,
      read: cores.read,
    });
    expect(wait).toMatchObject({ quiet: true, lastBusy: 0.1 });
    // The first reading, then seven intervals: the quiet pair before the busy one did not count.
    expect(cores.reads()).toBe(8);
    expect(describeQuietWait(wait)).toMatch(
      /^Started once the cores were busy less than 25 % for 3 s/,
    );
  });

  it('gives up after its bound and says how busy the cores still were', async () => {
    const cores = readingsOf(Array.from({ length: 10_000 }, () => 0.8));
    const wait = await waitForQuietMachine({
      forSeconds: 0.003,
      everyMs: 1,
      atMostSeconds: 0.05,
      read: cores.read,
    });
    expect(wait).toMatchObject({ quiet: false, lastBusy: 0.8 });
    expect(describeQuietWait(wait)).toMatch(
      /^Started without the machine quieting down \(cores busy 80 %/,
    );
  });

  it('reads the share of the cores busy from the machine, between 0 and 1', () => {
    const before = cpuTimes();
    const end = performance.now() + 50;
    while (performance.now() < end) Math.sqrt(Math.random());
    const share = busyShare(before, cpuTimes());
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThanOrEqual(1);
  });
});
