/**
 * What the scenarios report beside their figures: latency percentiles, the machine's load (the
 * machine may be shared), and a CPU profile of work done in this process.
 */
import { loadavg } from 'node:os';
import { Session } from 'node:inspector/promises';
import { summary, type LatencySummary } from '../support/stats.js';
import { describeProfile, summarizeProfile } from '../support/profile-summary.js';

const tenth = (value: number) => Math.round(value * 10) / 10;

/** p50, p99 and max in milliseconds, rounded to 0.1 ms, and the sample count. */
export function latencyStats(samples: readonly number[]): LatencySummary {
  const { n, p50, p99, max } = summary(samples);
  return { n, p50: tenth(p50), p99: tenth(p99), max: tenth(max) };
}

/** The 1-minute load average, to read the figures of a shared machine by. */
export const loadAverage = (): number => tenth(loadavg()[0] ?? 0);

/** Runs `work` under the V8 sampling profiler of this process; returns a line for the notes. */
export async function profileInProcess(what: string, work: () => Promise<void>): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    return describeProfile(
      what,
      summarizeProfile(profile as unknown as Parameters<typeof summarizeProfile>[0]),
    );
  } finally {
    session.disconnect();
  }
}
