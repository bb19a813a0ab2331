/**
 * The generated graph holds the log and the ClickHouse projection, not the embedded platform's
 * serving index, which a platform builds from the log at its first start: at large scale (5 M
 * events) that takes many minutes, on every copy a run makes. So the index is built once, in the
 * cached graph itself, by starting the real platform on it and stopping it; a start on an index
 * that is up to date (and of the current format) only checks its positions.
 */
import { spawnPlatform } from '../../support/platform-process.js';
import { stopPlatformProcess } from './stop-platform.js';

export async function ensureServingIndex(
  dataDir: string,
  progress: (line: string) => void,
): Promise<void> {
  progress('serving index: bringing the cached graph’s index up to date (built once per graph)');
  const started = performance.now();
  const platform = await spawnPlatform(dataDir, {}, 2 * 60 * 60_000);
  const code = await stopPlatformProcess(platform);
  if (code !== 0) throw new Error(`the platform building the serving index exited with ${code}`);
  progress(`serving index: ready in ${Math.round((performance.now() - started) / 1000)} s`);
}
