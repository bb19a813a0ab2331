/**
 * The generated graph holds the log and the ClickHouse projection, not what the embedded platform
 * derives from the log at its first start: the serving index and the proof keeper's Merkle trees.
 * At large scale (5 M events) each takes many minutes, and a keeper still catching up would share
 * the machine (and chDB) with every figure measured after it. So both are built once, in the
 * cached graph itself, by starting the real platform on it and stopping it once every consumer
 * group of the log has caught up; a later start only checks its positions.
 */
import { consumerLag } from '../../support/consumer-lag.js';
import { spawnPlatform } from '../../support/platform-process.js';
import { pollUntil } from '../../support/poll.js';
import { stopPlatformProcess } from './stop-platform.js';

export async function ensureServingIndex(
  dataDir: string,
  progress: (line: string) => void,
): Promise<void> {
  progress(
    'derived state: bringing the cached graph’s serving index and proofs up to date (once per graph)',
  );
  const started = performance.now();
  const platform = await spawnPlatform(dataDir, {}, 2 * 60 * 60_000);
  let reported = 0;
  const caughtUp = pollUntil(
    async () => {
      const lag = await consumerLag(platform.url);
      const behind = [...lag].filter(([, value]) => value > 0);
      if (performance.now() - reported > 30_000) {
        reported = performance.now();
        const text = behind.map(([group, value]) => `${group} ${value}`).join(', ');
        progress(`derived state: behind by ${text || 'nothing'}`);
      }
      return lag.size > 0 && behind.length === 0 ? true : undefined;
    },
    { what: 'every consumer group to catch up', timeoutMs: 3 * 60 * 60_000, intervalMs: 1_000 },
  );
  // Stopped whether or not it caught up: a platform left running would hold the graph.
  const outcome = await caughtUp.then(
    () => undefined,
    (error: unknown) =>
      error instanceof Error ? error : new Error('the derived state did not catch up'),
  );
  const code = await stopPlatformProcess(platform);
  if (outcome) throw outcome;
  if (code !== 0) throw new Error(`the platform building the derived state exited with ${code}`);
  progress(`derived state: ready in ${Math.round((performance.now() - started) / 1000)} s`);
}
