/**
 * Stops a platform process the way an operator does (SIGTERM: finish, flush, write the CPU
 * profile when one is being taken), and kills it when it has not exited within the grace period,
 * so a slow shutdown cannot hang a benchmark.
 */
import type { PlatformProcess } from '../../support/platform-process.js';

export async function stopPlatformProcess(platform: PlatformProcess, graceMs = 30_000) {
  platform.child.kill('SIGTERM');
  const timer = setTimeout(() => platform.child.kill('SIGKILL'), graceMs);
  try {
    return await platform.exited;
  } finally {
    clearTimeout(timer);
  }
}
