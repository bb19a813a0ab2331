/**
 * Ingest scenario: events/s and request latency for 1000-event and single-event POSTs, against the
 * embedded platform (its own process) and against the distributed ingest service over real Kafka,
 * beside a raw kafkajs producer sending the same Avro records in the same batches with the same
 * acks to the same broker, and the embedded platform beside raw appends of the same records to a
 * SQLite event log (its log alone), and both beside the ingest floor: a process that validates and
 * encodes each event as ingest does before its append, and keeps nothing. The ingest service runs
 * with its replica of the event index and rule reads and with the store's (the way before the
 * replica), two rounds each, alternating, so the ratio of the two comes from one run. Each load
 * runs at several client counts; a figure is the peak, with the client count that reached it.
 * Where a target is missed, a short profiled rerun names the costs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaAnswers } from '../../support/kafka-broker.js';
import { spawnPlatform } from '../../support/platform-process.js';
import { createIngestWorkload } from '../support/ingest-events.js';
import { startIngestFloor } from '../support/ingest-floor.js';
import {
  measureKafka,
  PLATFORM_ENV,
  profileRerun,
  type Measured,
} from '../support/ingest-kafka.js';
import {
  createPartiesAt,
  measureRawLog,
  postLoads,
  type Clients,
  type IngestLoad,
  type IngestPlan,
  type Runs,
} from '../support/ingest-loads.js';
import { peakOf, type LoadResult } from '../support/load.js';
import { cpuProfileEnv } from '../support/profile-summary.js';
import { round } from '../support/stats.js';
import { stopPlatformProcess } from '../support/stop-platform.js';
import type { Figure, Scenario, ScenarioContext } from './types.js';

const PLANS: Record<ScenarioContext['scale'], IngestPlan> = {
  small: {
    batchRequests: 20,
    batchClients: [1, 2, 4],
    singleRequests: 200,
    singleClients: [1, 16],
    profileRequests: 20,
    chainBatches: 40_000,
  },
  large: {
    batchRequests: 60,
    batchClients: [1, 2, 4, 8],
    singleRequests: 400,
    singleClients: [1, 16, 64],
    profileRequests: 40,
    chainBatches: 100_000,
  },
};

const TARGETS = { embedded: 50_000, kafka: 30_000, ratio: 0.7 } as const;

function throughputFigure(name: string, runs: readonly IngestLoad[], target?: number): Figure {
  const peak = peakOf(runs);
  return {
    name,
    value: peak.eventsPerSecond,
    unit: 'events/s',
    ...(target !== undefined && {
      target: `≥ ${target.toLocaleString('en-US').replace(/,/g, ' ')} events/s`,
      met: peak.eventsPerSecond >= target,
    }),
    detail: {
      clients: peak.concurrency,
      'request p50 ms': round(peak.latencyMs.p50),
      'request p99 ms': round(peak.latencyMs.p99),
      requests: peak.requests,
      'events/s by clients': runs.map((r) => `${r.concurrency}: ${r.eventsPerSecond}`).join(', '),
      ...(peak.appendMsMean !== undefined && {
        'log append ms per request (mean)': round(peak.appendMsMean),
      }),
    },
  };
}

const NAMES = {
  embeddedBatch: 'batch ingest, 1000-event POSTs, embedded',
  embeddedSingle: 'single-event POSTs, embedded',
  rawLogBatch: 'raw embedded log appends (SQLite, ids checked), 1000-record appends',
  rawLogSingle: 'raw embedded log appends (SQLite, ids checked), 1-record appends',
  ratioLogBatch: 'embedded ingest / raw log appends, 1000-event batches',
  ratioLogSingle: 'embedded ingest / raw log appends, single events',
  kafkaBatch: 'batch ingest, 1000-event POSTs, through Kafka (ingest service)',
  kafkaSingle: 'single-event POSTs, through Kafka (ingest service)',
  kafkaStoreBatch:
    'batch ingest, 1000-event POSTs, through Kafka, ids and rules from the store (no replica)',
  kafkaStoreSingle: 'single-event POSTs, through Kafka, ids and rules from the store (no replica)',
  ratioReplicaStoreBatch: 'ingest with its replica / with the store, 1000-event batches',
  ratioReplicaStoreSingle: 'ingest with its replica / with the store, single events',
  rawBatch: 'raw kafkajs producer, 1000-record sends, acks=-1 idempotent',
  rawSingle: 'raw kafkajs producer, 1-record sends, acks=-1 idempotent',
  ratioBatch: 'ingest / raw producer, 1000-event batches',
  ratioSingle: 'ingest / raw producer, single events',
  floorBatch: 'ingest floor (validates and encodes, keeps nothing), 1000-event POSTs',
  floorSingle: 'ingest floor (validates and encodes, keeps nothing), single-event POSTs',
  ratioEmbeddedFloor: 'embedded ingest / ingest floor, 1000-event batches',
  ratioFloorRaw: 'ingest floor / raw producer, 1000-event batches',
} as const;

/** The raw run at the client count where ingest peaked (the raw peak if it ran no such count). */
function rawBeside(ingest: readonly LoadResult[], raw: readonly LoadResult[]): LoadResult {
  const peak = peakOf(ingest);
  return raw.find((r) => r.concurrency === peak.concurrency) ?? peakOf(raw);
}

const ratioOf = (ingest: readonly LoadResult[], raw: readonly LoadResult[]) =>
  round(peakOf(ingest).eventsPerSecond / rawBeside(ingest, raw).eventsPerSecond);

/** Ingest over raw at the client count where ingest peaked. */
function ratioFigure(
  name: string,
  ingest: readonly LoadResult[],
  raw: readonly LoadResult[],
  /** null: a yardstick the issue sets no target against. */
  target: number | null = TARGETS.ratio,
): Figure {
  const peak = peakOf(ingest);
  const rawAtSame = rawBeside(ingest, raw);
  const ratio = ratioOf(ingest, raw);
  return {
    name,
    value: ratio,
    unit: 'ratio',
    ...(target !== null && { target: `≥ ${target}`, met: ratio >= target }),
    detail: {
      clients: peak.concurrency,
      'ingest events/s': peak.eventsPerSecond,
      'raw events/s': rawAtSame.eventsPerSecond,
      'raw peak events/s': peakOf(raw).eventsPerSecond,
    },
  };
}

const notMeasured = (name: string, unit: string, reason: string, target?: string): Figure => ({
  name,
  value: NaN,
  unit,
  ...(target !== undefined && { target }),
  detail: { 'not measured': reason },
});

/** Whether a target was missed (so the scenario profiles a rerun). */
type Missed = (runs: Runs) => boolean;

/** The same loads to the ingest floor (support/ingest-floor-server.ts), before anything else runs. */
async function measureFloor(plan: IngestPlan, context: ScenarioContext): Promise<Runs> {
  const floor = await startIngestFloor();
  try {
    const workload = createIngestWorkload(context.seed, plan.chainBatches);
    // No API keys: the floor authenticates nobody.
    return await postLoads('floor', floor.url, new Map(), workload, plan, context.progress);
  } finally {
    await floor.stop();
  }
}

async function measureEmbedded(
  plan: IngestPlan,
  context: ScenarioContext,
  missed: Missed,
): Promise<Measured> {
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-ingest-'));
  const profileDir = join(dataDir, 'profiles');
  const platform = await spawnPlatform(dataDir, {
    ...PLATFORM_ENV,
    ...cpuProfileEnv(profileDir),
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const workload = createIngestWorkload(context.seed, plan.chainBatches);
    const keys = await createPartiesAt(platform.url, workload.parties);
    const load = (label: string) => (loadPlan: IngestPlan, clients?: Clients) =>
      postLoads(label, platform.url, keys, workload, loadPlan, context.progress, clients);
    const runs = await load('embedded')(plan);
    if (!missed(runs)) return { runs };
    const profile = await profileRerun(
      'Embedded platform process (ingest and projector share its thread)',
      runs,
      plan,
      load('embedded, profiled'),
      { child: platform.child, stop: () => stopPlatformProcess(platform) },
      profileDir,
    );
    return { runs, profile };
  } finally {
    await stopPlatformProcess(platform);
    await rm(dataDir, { recursive: true, force: true });
  }
}

export const ingestScenario: Scenario = async (context) => {
  const plan = PLANS[context.scale];
  const figures: Figure[] = [];
  const notes: string[] = [
    `Requests: the generator's dairy chain (seed ${context.seed}), each request one party's own ` +
      'events under its own API key; the raw producer sends the records ingest appends for the ' +
      'same requests (same validation, key and Avro bytes) in the same batches. The raw embedded ' +
      'log appends the same records with their ids and fingerprints to a SQLite event log of the ' +
      "bench process's own, concurrent appends grouped into one transaction as the platform " +
      'groups them: what the log alone costs.',
  ];
  const floor = await measureFloor(plan, context);
  figures.push(
    throughputFigure(NAMES.floorBatch, floor.batch),
    throughputFigure(NAMES.floorSingle, floor.single),
  );
  const embedded = await measureEmbedded(
    plan,
    context,
    (runs) => peakOf(runs.batch).eventsPerSecond < TARGETS.embedded,
  );
  figures.push(
    throughputFigure(NAMES.embeddedBatch, embedded.runs.batch, TARGETS.embedded),
    throughputFigure(NAMES.embeddedSingle, embedded.runs.single),
  );
  if (embedded.profile) notes.push(embedded.profile);
  const rawLog = await measureRawLog(
    createIngestWorkload(context.seed, plan.chainBatches),
    plan,
    context.progress,
  );
  figures.push(
    throughputFigure(NAMES.rawLogBatch, rawLog.batch),
    throughputFigure(NAMES.rawLogSingle, rawLog.single),
    ratioFigure(NAMES.ratioLogBatch, embedded.runs.batch, rawLog.batch, null),
    ratioFigure(NAMES.ratioLogSingle, embedded.runs.single, rawLog.single, null),
    ratioFigure(NAMES.ratioEmbeddedFloor, embedded.runs.batch, floor.batch, null),
  );
  const brokers = context.kafkaBrokers;
  const kafka = brokers
    ? await measureKafka(brokers, plan, context, (ingest, raw) => {
        const batch = peakOf(ingest.batch).eventsPerSecond;
        return batch < TARGETS.kafka || ratioOf(ingest.batch, raw.batch) < TARGETS.ratio;
      }).catch(async (error: unknown) => {
        // A broker that went away mid-run (a shared one, stopped by a fault test) is a missing
        // broker, not a failure of ingest; anything else is.
        if (await kafkaAnswers(brokers[0] ?? '')) throw error;
        return `the Kafka broker stopped answering during the run (${String(error).slice(0, 200)})`;
      })
    : 'no Kafka broker (see the run header)';
  if (typeof kafka === 'string') {
    figures.push(
      notMeasured(NAMES.kafkaBatch, 'events/s', kafka, '≥ 30 000 events/s'),
      notMeasured(NAMES.kafkaSingle, 'events/s', kafka),
      notMeasured(NAMES.ratioBatch, 'ratio', kafka, `≥ ${TARGETS.ratio}`),
      notMeasured(NAMES.ratioSingle, 'ratio', kafka, `≥ ${TARGETS.ratio}`),
    );
    return { scenario: 'ingest', figures, notes };
  }
  figures.push(
    throughputFigure(NAMES.kafkaBatch, kafka.runs.batch, TARGETS.kafka),
    throughputFigure(NAMES.kafkaSingle, kafka.runs.single),
    throughputFigure(NAMES.rawBatch, kafka.raw.batch),
    throughputFigure(NAMES.rawSingle, kafka.raw.single),
    ratioFigure(NAMES.ratioBatch, kafka.runs.batch, kafka.raw.batch),
    ratioFigure(NAMES.ratioSingle, kafka.runs.single, kafka.raw.single),
    ratioFigure(NAMES.ratioFloorRaw, floor.batch, kafka.raw.batch, null),
    throughputFigure(NAMES.kafkaStoreBatch, kafka.storeIndex.batch),
    throughputFigure(NAMES.kafkaStoreSingle, kafka.storeIndex.single),
    ratioFigure(NAMES.ratioReplicaStoreBatch, kafka.runs.batch, kafka.storeIndex.batch, null),
    ratioFigure(NAMES.ratioReplicaStoreSingle, kafka.runs.single, kafka.storeIndex.single, null),
  );
  notes.push(
    "Through Kafka the ingest service ran with its replica and with the store's index, both " +
      'platforms up, in the order replica, store, store, replica; each figure is the mean of ' +
      `its two rounds (events/s): ${kafka.rounds}.`,
  );
  if (kafka.profile) notes.push(kafka.profile);
  return { scenario: 'ingest', figures, notes };
};
