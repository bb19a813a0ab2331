/**
 * Builds, once, a platform data directory holding a generated chain projected into chDB: the
 * events go straight into the embedded log, the real projector projects them, the parties are
 * registered. The directory is cached under test/bench/tmp/ by scale, seed and generator
 * version, so later runs start a platform on it at once.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../../services/common/log/sqlite-event-log.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP, RECALL_GROUP } from '../../../services/common/topics.js';
import { startProjector } from '../../../services/projector/projector.js';
import { pollUntil } from '../../support/poll.js';
import {
  createSupplyChain,
  GENERATOR_VERSION,
  SCALE_BATCHES,
  type TracePicks,
} from './supply-chain.js';
import { createProgress, registerPartiesInDirectory, writeEventsToLog } from './write-chain.js';

export const BENCH_TMP_DIR = fileURLToPath(new URL('../tmp/', import.meta.url));

/** Tables the trace reads; merged after the build, as background merges leave a platform at rest. */
const TRACE_TABLES = [
  'events',
  'event_index',
  'batch_events',
  'batches',
  'derivations_by_input',
  'derivations_by_output',
  'shipments',
  'receipts',
  'inspections',
  'recall_batches',
  'retractions',
  'parties',
  'api_keys',
  'epcis_native_events',
];

export interface GraphManifest {
  readonly scale: 'small' | 'large';
  readonly seed: number;
  readonly generatorVersion: number;
  readonly batches: number;
  readonly events: number;
  readonly parties: number;
  readonly regulatorId: string;
  /** The regulator's API key (test data only). */
  readonly regulatorKey: string;
  readonly picks: TracePicks;
  /** Seconds per build step, and the total. */
  readonly buildSeconds: Readonly<Record<string, number>>;
  readonly builtAt: string;
}

export interface TraceGraph {
  /** A platform data directory (log/events.sqlite, clickhouse/). */
  readonly dataDir: string;
  readonly manifest: GraphManifest;
  /** True when an earlier run built it. */
  readonly cached: boolean;
}

const MANIFEST = 'manifest.json';
/** Events per projector batch while building. */
const BUILD_BATCH = 20_000;

/** The data directory of a projected chain; built when not cached yet. */
export async function ensureTraceGraph(options: {
  readonly scale: 'small' | 'large';
  readonly seed: number;
  readonly progress: (line: string) => void;
  /** Picks per kind of batch (default 5). */
  readonly picksPerKind?: number;
}): Promise<TraceGraph> {
  const dataDir = join(
    BENCH_TMP_DIR,
    `graph-${options.scale}-seed${options.seed}-v${GENERATOR_VERSION}`,
  );
  const manifestPath = join(dataDir, MANIFEST);
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as GraphManifest;
    options.progress(`trace graph: using the cached build in ${dataDir}`);
    return { dataDir, manifest, cached: true };
  }
  // A directory without a manifest is an interrupted build: start again.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const manifest = await buildGraph(dataDir, options);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { dataDir, manifest, cached: false };
}

async function buildGraph(
  dataDir: string,
  options: Parameters<typeof ensureTraceGraph>[0],
): Promise<GraphManifest> {
  const { progress } = options;
  const started = performance.now();
  const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10;
  const chain = createSupplyChain({ batches: SCALE_BATCHES[options.scale], seed: options.seed });
  const logger = pino({ level: 'warn' });
  const store = createChdbStore({ path: join(dataDir, 'clickhouse') });
  const log = createSqliteEventLog({ path: join(dataDir, 'log', 'events.sqlite'), logger });
  const codec = createEventCodec();
  try {
    await migrate(store, logger);
    progress(
      `trace graph: building ${options.scale} (${chain.batchCount.toLocaleString('en')} batches, ` +
        `~${chain.estimatedEvents.toLocaleString('en')} events, ${chain.parties.length} parties) in ${dataDir}`,
    );
    let step = performance.now();
    const keys = await registerPartiesInDirectory(
      createPartyDirectory(store),
      chain.parties,
      createProgress('trace graph: parties', chain.parties.length, progress, 'parties'),
    );
    const partySeconds = seconds(step);

    // The projector runs while the log fills: chDB inserts on its own threads while this thread
    // generates and encodes. Large batches (PROJECTOR_BATCH_SIZE allows them) build faster.
    step = performance.now();
    const projector = await startProjector({ log, store, codec, logger, batchSize: BUILD_BATCH });
    const written = await writeEventsToLog(log, codec, chain.events(), {
      progress: createProgress('trace graph: events into the log', chain.estimatedEvents, progress),
    });
    const writeSeconds = seconds(step);
    await waitForGroup(log, PROJECTOR_GROUP, written.events, (done) =>
      progress(
        `trace graph: projected ${done.toLocaleString('en')} / ${written.events.toLocaleString('en')} events`,
      ),
    );
    await projector.stop();
    const projectSeconds = seconds(step);

    // The chain has no defects or recalls: the recall service would read past every event.
    // Moving its group to the end spares a platform started on this directory that work.
    const recall = await log.subscribe({
      topic: EVENTS_TOPIC,
      groupId: RECALL_GROUP,
      maxBatchSize: 10_000,
      handleBatch: () => Promise.resolve(),
    });
    await waitForGroup(log, RECALL_GROUP, written.events, () => undefined);
    await recall.stop();

    step = performance.now();
    for (const table of TRACE_TABLES) await store.command(`OPTIMIZE TABLE ${table} FINAL`);
    const optimizeSeconds = seconds(step);
    const buildSeconds = {
      registerParties: partySeconds,
      writeLog: writeSeconds,
      // From the first event written to the last projected (the writing overlaps).
      writeAndProject: projectSeconds,
      optimize: optimizeSeconds,
      total: seconds(started),
    };
    progress(`trace graph: built in ${buildSeconds.total} s (${JSON.stringify(buildSeconds)})`);
    return {
      scale: options.scale,
      seed: options.seed,
      generatorVersion: GENERATOR_VERSION,
      batches: chain.batchCount,
      events: written.events,
      parties: chain.parties.length,
      regulatorId: chain.regulatorId,
      regulatorKey: keys.get(chain.regulatorId) ?? '',
      picks: chain.picks(options.picksPerKind ?? 5),
      buildSeconds,
      builtAt: new Date().toISOString(),
    };
  } finally {
    await log.close();
    await store.close();
  }
}

/** Waits until the group has committed every one of `total` records, reporting about each second. */
export async function waitForGroup(
  log: EventLog,
  groupId: string,
  total: number,
  report: (done: number) => void,
): Promise<void> {
  let reportedAt = performance.now();
  await pollUntil(
    async () => {
      const committed = await log.committedOffsets(EVENTS_TOPIC, groupId);
      const done = [...committed.values()].reduce((sum, offset) => sum + offset, 0);
      if (performance.now() - reportedAt >= 1000) {
        reportedAt = performance.now();
        report(done);
      }
      return done >= total ? true : undefined;
    },
    {
      timeoutMs: 3 * 3600_000,
      intervalMs: 20,
      what: `group ${groupId} to commit ${total} records`,
    },
  );
}
