import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** Give up after this long (default 5 s). */
  readonly timeoutMs?: number;
  /** Pause between probes (default 10 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message. */
  readonly what?: string;
}

/**
 * Calls `probe` until it returns something other than `undefined` or `false`, and returns that.
 * A probe that throws fails the wait at once (for example when a child process died).
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: PollOptions = {},
): Promise<T> {
  const { timeoutMs = 5_000, intervalMs = 10, what = 'the condition' } = options;
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      throw new Error(`timed out after ${elapsed} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}
