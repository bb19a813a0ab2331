/**
 * The ingest floor beside the platform's 1000-event figure: the same POSTs at 64 clients to a
 * process that validates, fingerprints and encodes each event as the platform does before its log
 * append, and keeps nothing (ingest-floor-server.ts). Measured before the platform runs, so that
 * nothing else takes the cores.
 */
import { spawnService } from '../../support/service-process.js';
import { eventsPerSecond, runHttpLoad } from './http-load.js';
import { createIngestWorkload } from './ingest-events.js';
import { ingestRequests } from './online-ingest.js';

const CLIENTS = 64;

/** The floor's process; stop() ends it. */
export const startIngestFloor = () =>
  spawnService('test/bench/support/ingest-floor-server.ts', {}, { name: 'the ingest floor' });

export async function measureIngestFloor(options: {
  readonly seed: number;
  /** Rounds of 64 concurrent 1000-event POSTs, after one not counted. */
  readonly rounds: number;
  readonly progress: (line: string) => void;
}) {
  const floor = await startIngestFloor();
  try {
    // The platform's own workload (same seed): the floor keeps nothing, so the platform later
    // gets the same events as new.
    const workload = createIngestWorkload(options.seed + 1, 100_000);
    const run = (rounds: number) =>
      runHttpLoad({
        url: floor.url,
        connections: CLIENTS,
        seconds: 120,
        amount: CLIENTS * rounds,
        timeoutSeconds: 120,
        // No API key: the floor authenticates nobody.
        next: ingestRequests(new Map(), workload, 1000, CLIENTS * rounds),
      });
    options.progress('online: warming the ingest floor up (one round, not counted)');
    await run(1);
    const result = await run(options.rounds);
    const events = eventsPerSecond(result, 1000);
    options.progress(
      `online: 1000-event POSTs to the ingest floor, 64 clients: ${events} events/s, p99 ${result.latencyMs.p99} ms, failed ${result.failed}`,
    );
    return { result, eventsPerSecond: events };
  } finally {
    await floor.stop();
  }
}
