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
  readonly raw: Runs;
  /**
   * The same loads to an ingest instance that settles ids and reads the write rules from the
   * store (`SUYUAN_INGEST_REPLICA=false`), as every instance did before its replica.
   */
  readonly storeIndex: Runs;
}

/**
 * The distributed platform over real Kafka; the load goes straight to the ingest service's URL
 * (not the gateway). The projector and recall consumers are stopped first: deployed they run on
 * other machines, here they would only take the two cores from ingest. The raw producer runs
 * first, on the same broker, with the same requests (same seed, same order).
 */
export async function measureKafka(
  brokers: readonly string[],
  plan: IngestPlan,
  context: ScenarioContext,
  missed: (ingest: Runs, raw: Runs) => boolean,
): Promise<KafkaMeasured> {
  const profileDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-ingest-kafka-prof-'));
  try {
    const measured = await measureKafkaPlatform(brokers, plan, context, missed, profileDir);
    const storeIndex = await measureKafkaStoreIndex(brokers, plan, context);
    return { ...measured, storeIndex };
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
}

async function measureKafkaPlatform(
  brokers: readonly string[],
  plan: IngestPlan,
  context: ScenarioContext,
  missed: (ingest: Runs, raw: Runs) => boolean,
  profileDir: string,
): Promise<Omit<KafkaMeasured, 'storeIndex'>> {
  const platform = await startDistributedPlatform(brokers, {
    ...PLATFORM_ENV,
    ...cpuProfileEnv(profileDir),
  });
  try {
    const partitions = Number(platform.serviceEnv.KAFKA_TOPIC_PARTITIONS);
    await platform.services.projector.stop();
    await platform.services.recall.stop();
    const rawWorkload = createIngestWorkload(context.seed, plan.chainBatches);
    const raw = await measureRaw(brokers, partitions, rawWorkload, plan, context.progress);
    const workload = createIngestWorkload(context.seed, plan.chainBatches);
    const { ingest: service } = platform.services;
    const keys = await createPartiesAt(service.url, workload.parties);
    const load = (label: string) => (loadPlan: IngestPlan, clients?: Clients) =>
      postLoads(label, service.url, keys, workload, loadPlan, context.progress, clients);
    const runs = await load('kafka')(plan);
    if (!missed(runs, raw)) return { runs, raw };
    const profile = await profileRerun(
      'Ingest service process (Kafka)',
      runs,
      plan,
      load('kafka, profiled'),
      { child: service.child, stop: () => service.stop() },
      profileDir,
    );
    return { runs, raw, profile };
  } finally {
    await platform.stop();
  }
}

/** Ingest through Kafka with the store's event index and rule reads, in a platform of its own. */
async function measureKafkaStoreIndex(
  brokers: readonly string[],
  plan: IngestPlan,
  context: ScenarioContext,
): Promise<Runs> {
  const platform = await startDistributedPlatform(brokers, {
    ...PLATFORM_ENV,
    SUYUAN_INGEST_REPLICA: 'false',
  });
  try {
    await platform.services.projector.stop();
    await platform.services.recall.stop();
    const workload = createIngestWorkload(context.seed, plan.chainBatches);
    const { ingest: service } = platform.services;
    const keys = await createPartiesAt(service.url, workload.parties);
    return await postLoads(
      'kafka, store index',
      service.url,
      keys,
      workload,
      plan,
      context.progress,
    );
  } finally {
    await platform.stop();
  }
}
