/**
 * Before a scenario, waits until the machine's cores are mostly idle. The scenario before may
 * leave work winding down: in the full 1M-batch run of 2026-12-06 the online scenario began right
 * after the recall scenario's 10 000 webhook deliveries (load average 12.6). (Its slower walked
 * traces there turned out to be the code's, not the machine's: a quiet run gave the same.) The load
 * average cannot say when to start, since it
 * decays over minutes after the work has stopped; the cores' busy share over the last seconds can.
 * On a machine shared with other work the wait is bounded, and the scenario says how long it
 * waited and how busy the cores still were.
 */
import { cpus } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

/** Busy and total CPU time of every core together, in ms, as `os.cpus()` counts them. */
export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

export function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const spent = times.user + times.nice + times.sys + times.irq;
    busy += spent;
    total += spent + times.idle;
  }
  return { busy, total };
}

/** The share of the cores busy between two readings, 0 to 1 (0 when no time passed). */
export const busyShare = (before: CpuTimes, after: CpuTimes): number =>
  after.total > before.total ? (after.busy - before.busy) / (after.total - before.total) : 0;

export interface QuietOptions {
  /** The machine is quiet while the cores are busy less than this share. */
  readonly busyBelow: number;
  /** For this many consecutive seconds. */
  readonly forSeconds: number;
  /** Gives up after this many seconds. */
  readonly atMostSeconds: number;
  /** How often the cores are read, in ms. */
  readonly everyMs: number;
  readonly read: () => CpuTimes;
}

const DEFAULTS: QuietOptions = {
  busyBelow: 0.25,
  forSeconds: 3,
  atMostSeconds: 90,
  everyMs: 1_000,
  read: cpuTimes,
};

export interface QuietWait {
  readonly quiet: boolean;
  readonly waitedSeconds: number;
  /** The cores' busy share over the last interval read. */
  readonly lastBusy: number;
}

export async function waitForQuietMachine(options: Partial<QuietOptions> = {}): Promise<QuietWait> {
  const { busyBelow, forSeconds, atMostSeconds, everyMs, read } = { ...DEFAULTS, ...options };
  const started = performance.now();
  const waited = () => Math.round((performance.now() - started) / 100) / 10;
  let quietMs = 0;
  let lastBusy = 0;
  let before = read();
  while (performance.now() - started < atMostSeconds * 1_000) {
    // A sampling interval of the cores, not a wait for an outcome.
    await delay(everyMs);
    const after = read();
    lastBusy = busyShare(before, after);
    before = after;
    quietMs = lastBusy < busyBelow ? quietMs + everyMs : 0;
    if (quietMs >= forSeconds * 1_000) return { quiet: true, waitedSeconds: waited(), lastBusy };
  }
  return { quiet: false, waitedSeconds: waited(), lastBusy };
}

/** The line a scenario's notes carry about the wait before it. */
export function describeQuietWait(wait: QuietWait, options: Partial<QuietOptions> = {}): string {
  const { busyBelow, forSeconds, everyMs } = { ...DEFAULTS, ...options };
  const percent = (share: number) => `${Math.round(share * 100)} %`;
  const last = `${percent(wait.lastBusy)} over the last ${everyMs / 1_000} s`;
  return wait.quiet
    ? `Started once the cores were busy less than ${percent(busyBelow)} for ${forSeconds} s (waited ${wait.waitedSeconds} s; ${last}).`
    : `Started without the machine quieting down (cores busy ${last}, after ${wait.waitedSeconds} s of waiting).`;
}
