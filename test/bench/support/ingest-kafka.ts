/**
 * The ingest scenario's loads through Kafka, and the profiled rerun that names the costs where a
 * target was missed. The distributed ingest service is measured twice in one run: with its
 * replica (the default) and with the store's event index and rule reads, beside a raw producer.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDistributedPlatform } from '../../support/distributed-platform.js';
import type { ScenarioContext } from '../scenarios/types.js';
import { createIngestWorkload } from './ingest-events.js';
import {
  createPartiesAt,
  measureRaw,
  postLoads,
  type Clients,
  type IngestLoad,
  type IngestPlan,
  type Runs,
} from './ingest-loads.js';
import { peakOf } from './load.js';
import {
  cpuProfileEnv,
  describeProfile,
  profilesOf,
  startCpuProfile,
  summarizeProfileFile,
} from './profile-summary.js';

/** The platform's per-key rate limit would otherwise cap the single-event load. */
export const PLATFORM_ENV = { SUYUAN_RATE_LIMIT_MAX: '1000000000' };

export interface Measured {
  readonly runs: Runs;
  /** What the profile of a rerun at the peak client count showed, when a target was missed. */
  readonly profile?: string;
}

/**
 * Profiles `target.child` (spawned with cpuProfileEnv(profileDir)) through 1000-event requests at the
 * peak client count, the next ones of the workload; `stop` ends the process so it writes its
 * profile. Returns the note.
 */
export async function profileRerun(
  what: string,
  runs: Runs,
  plan: IngestPlan,
  send: (plan: IngestPlan, clients: { batch: number[]; single: number[] }) => Promise<Runs>,
  target: { child: ChildProcess; stop: () => Promise<unknown> },
  profileDir: string,
): Promise<string> {
  const clients = peakOf(runs.batch).concurrency;
  startCpuProfile(target.child);
  await send({ ...plan, batchRequests: plan.profileRequests }, { batch: [clients], single: [] });
  await target.stop();
  const [file] = await profilesOf(profileDir, target.child.pid ?? -1);
  if (!file) return `${what}: no .cpuprofile was written`;
  return describeProfile(
    `${what}, profiled through ${plan.profileRequests} requests of 1000 events at ${clients} clients`,
    await summarizeProfileFile(file),
  );
}

export interface KafkaMeasured extends Measured {
  /** With the replica (the default): the mean of its two rounds. */
  readonly runs: Runs;
  readonly raw: Runs;
  /**
   * The same loads to an ingest instance that settles ids and reads the write rules from the
   * store (`SUYUAN_INGEST_REPLICA=false`), as every instance did before its replica: the mean of
   * its two rounds.
   */
  readonly storeIndex: Runs;
  /** Each round's events/s at each client count, in the order they ran. */
  readonly rounds: string;
}

/** Two rounds of the same loads as one: each figure the mean of the two. */
export function meanOfRounds(first: Runs, second: Runs): Runs {
  const mean = (a: number, b: number) => (a + b) / 2;
  const pair = (a: readonly IngestLoad[], b: readonly IngestLoad[]) =>
    a.map((load, i): IngestLoad => {
      const other = b[i] ?? load;
      return {
        concurrency: load.concurrency,
        requests: load.requests + other.requests,
        events: load.events + other.events,
        seconds: load.seconds + other.seconds,
        eventsPerSecond: Math.round(mean(load.eventsPerSecond, other.eventsPerSecond)),
        latencyMs: {
          n: load.latencyMs.n + other.latencyMs.n,
          p50: mean(load.latencyMs.p50, other.latencyMs.p50),
          p99: mean(load.latencyMs.p99, other.latencyMs.p99),
          max: Math.max(load.latencyMs.max, other.latencyMs.max),
        },
        ...(load.appendMsMean !== undefined &&
          other.appendMsMean !== undefined && {
            appendMsMean: mean(load.appendMsMean, other.appendMsMean),
          }),
      };
    });
  return { batch: pair(first.batch, second.batch), single: pair(first.single, second.single) };
}

const describeRound = (label: string, runs: Runs) =>
  `${label}: ${[...runs.batch, ...runs.single]
    .map(
      (load, i) =>
        `${i < runs.batch.length ? 'batch' : 'single'} ×${load.concurrency} ${load.eventsPerSecond}`,
    )
    .join(', ')}`;

/** A distributed platform whose consumers are stopped, and its ingest service's loads. */
async function ingestAlone(
  brokers: readonly string[],
  env: Record<string, string>,
  label: string,
  plan: IngestPlan,
  context: ScenarioContext,
) {
  const platform = await startDistributedPlatform(brokers, { ...PLATFORM_ENV, ...env });
  try {
    await platform.services.projector.stop();
    await platform.services.recall.stop();
    // Two rounds of the plan take twice the requests: a chain twice the size holds them.
    const workload = createIngestWorkload(context.seed, plan.chainBatches * 2);
    const { ingest: service } = platform.services;
    const keys = await createPartiesAt(service.url, workload.parties);
    const load = (loadPlan: IngestPlan, clients?: Clients, as = label) =>
      postLoads(as, service.url, keys, workload, loadPlan, context.progress, clients);
    return { platform, service, load };
  } catch (error) {
    await platform.stop();
    throw error;
  }
}

/**
 * The distributed platform over real Kafka, twice: ingest with its replica and ingest with the
 * store's index, both up at once; the load goes straight to each ingest service's URL (not the
 * gateway). The projector and recall consumers are stopped: deployed they run on other machines,
 * here they would only take the two cores from ingest. The raw producer runs first, on the same
 * broker, with the same requests (same seed, same order); then the two ingest services in the
 * order replica, store, store, replica, so that neither has the machine's quieter moments to
 * itself, each figure the mean of its two rounds.
 */
export async function measureKafka(
  brokers: readonly string[],
  plan: IngestPlan,
  context: ScenarioContext,
  missed: (ingest: Runs, raw: Runs) => boolean,
): Promise<KafkaMeasured> {
  const profileDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-ingest-kafka-prof-'));
  const opened: Array<{ stop(): Promise<void> }> = [];
  try {
    const withReplica = await ingestAlone(
      brokers,
      cpuProfileEnv(profileDir),
      'kafka',
      plan,
      context,
    );
    opened.push(withReplica.platform);
    const withStore = await ingestAlone(
      brokers,
      { SUYUAN_INGEST_REPLICA: 'false' },
      'kafka, store index',
      plan,
      context,
    );
    opened.push(withStore.platform);
    const partitions = Number(withReplica.platform.serviceEnv.KAFKA_TOPIC_PARTITIONS);
    const rawWorkload = createIngestWorkload(context.seed, plan.chainBatches);
    const raw = await measureRaw(brokers, partitions, rawWorkload, plan, context.progress);
    const replicaFirst = await withReplica.load(plan);
    const storeFirst = await withStore.load(plan);
    const storeSecond = await withStore.load(plan);
    const replicaSecond = await withReplica.load(plan);
    const runs = meanOfRounds(replicaFirst, replicaSecond);
    const measured = {
      runs,
      raw,
      storeIndex: meanOfRounds(storeFirst, storeSecond),
      rounds: [
        describeRound('replica', replicaFirst),
        describeRound('store', storeFirst),
        describeRound('store', storeSecond),
        describeRound('replica', replicaSecond),
      ].join('; '),
    };
    if (!missed(runs, raw)) return measured;
    const { service } = withReplica;
    const profile = await profileRerun(
      'Ingest service process (Kafka, with its replica)',
      runs,
      plan,
      (loadPlan, clients) => withReplica.load(loadPlan, clients, 'kafka, profiled'),
      { child: service.child, stop: () => service.stop() },
      profileDir,
    );
    return { ...measured, profile };
  } finally {
    for (const platform of opened.reverse()) await platform.stop();
    await rm(profileDir, { recursive: true, force: true });
  }
}
