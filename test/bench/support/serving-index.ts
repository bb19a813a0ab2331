/**
 * The generated graph holds the log and the ClickHouse projection, not what the embedded platform
 * derives from the log at its first start: the serving index and the proof keeper's Merkle trees.
 * At large scale (5 M events) each takes many minutes, and a keeper still catching up would share
 * the machine (and chDB) with every figure measured after it. So both are built once, in the
 * cached graph itself, by starting the real platform on it and stopping it once every consumer
 * group of the log has caught up; a later start only checks its positions.
 */
import { CATCH_UP_MESSAGES } from '../../../services/projector/serving-catch-up.js';
import { consumerLag } from '../../support/consumer-lag.js';
import { spawnPlatform } from '../../support/platform-process.js';
import { pollUntil } from '../../support/poll.js';
import { stopPlatformProcess } from './stop-platform.js';

/** How often the build says how far it is. */
const PROGRESS_EVERY_MS = 30_000;

/**
 * What a platform's log line says of its serving index catching up, as a progress line, if it
 * says anything of it; `started` for the first line of a catch-up, which is always worth saying.
 */
export function catchUpProgress(line: string): { text: string; started: boolean } | undefined {
  if (!line.startsWith('{')) return undefined;
  const entry = JSON.parse(line) as Record<string, unknown>;
  const at = (key: string) => Number(entry[key]).toLocaleString('en-US');
  if (entry.msg === CATCH_UP_MESSAGES.started) {
    return {
      text: `derived state: serving index catching up from offset ${at('from')} to ${at('to')}`,
      started: true,
    };
  }
  if (entry.msg === CATCH_UP_MESSAGES.progress) {
    return {
      text: `derived state: serving index at offset ${at('next')} of ${at('target')}`,
      started: false,
    };
  }
  return undefined;
}

export async function ensureServingIndex(
  dataDir: string,
  progress: (line: string) => void,
): Promise<void> {
  progress(
    'derived state: bringing the cached graph’s serving index and proofs up to date (once per graph)',
  );
  const started = performance.now();
  // Until it listens, the platform catches its serving index up from the log: say how far.
  let said = Number.NEGATIVE_INFINITY;
  const platform = await spawnPlatform(dataDir, {}, 2 * 60 * 60_000, (line) => {
    const caughtUp = catchUpProgress(line);
    if (!caughtUp) return;
    if (!caughtUp.started && performance.now() - said < PROGRESS_EVERY_MS) return;
    progress(caughtUp.text);
    said = performance.now();
  });
  let reported = 0;
  const caughtUp = pollUntil(
    async () => {
      const lag = await consumerLag(platform.url);
      const behind = [...lag].filter(([, value]) => value > 0);
      if (performance.now() - reported > PROGRESS_EVERY_MS) {
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
