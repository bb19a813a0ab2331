/**
 * The loads of the ingest scenario: the same requests, in the same order, sent by HTTP clients to
 * a platform or by the raw producer to Kafka, each load at one client count (closed loop).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventLog } from '../../../services/common/log/sqlite-event-log.js';
import { EVENTS_TOPIC } from '../../../services/common/topics.js';
import { createJsonPoster } from './http-client.js';
import {
  identifiedLogRecordsFor,
  logRecordsFor,
  registerParties,
  type IngestRequest,
  type IngestWorkload,
} from './ingest-events.js';
import { runLoad, type LoadResult } from './load.js';
import { openRawProducer } from './raw-producer.js';
import { round } from './stats.js';

export interface IngestPlan {
  /** 1000-event POSTs per client count. */
  readonly batchRequests: number;
  readonly batchClients: readonly number[];
  readonly singleRequests: number;
  readonly singleClients: readonly number[];
  /** 1000-event POSTs in a profiled rerun. */
  readonly profileRequests: number;
  /** Size of the generated chain the requests come from (it sets the party count). */
  readonly chainBatches: number;
}

const BATCH = 1000;
const WARM_BATCHES = 3;
const WARM_SINGLES = 100;
/** A load, with the mean time the platform spent appending to its log per request when known. */
export interface IngestLoad extends LoadResult {
  readonly appendMsMean?: number;
}

export interface Runs {
  readonly batch: IngestLoad[];
  readonly single: IngestLoad[];
}

interface AppendTotals {
  readonly seconds: number;
  readonly count: number;
}

/** The platform's `suyuan_log_append_seconds` totals, from its /metrics. */
async function appendTotals(baseUrl: string): Promise<AppendTotals> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const total = (suffix: string) =>
    [
      ...text.matchAll(
        new RegExp(`^suyuan_log_append_seconds_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'),
      ),
    ]
      .map((match) => Number(match[1]))
      .reduce((sum, value) => sum + value, 0);
  return { seconds: total('sum'), count: total('count') };
}

export type Progress = (line: string) => void;

const describeLoad = (r: IngestLoad) =>
  `× ${r.concurrency} clients: ${r.eventsPerSecond} events/s, p50 ${round(r.latencyMs.p50)} ms, ` +
  `p99 ${round(r.latencyMs.p99)} ms (${r.requests} requests)` +
  (r.appendMsMean === undefined ? '' : `, log append ${round(r.appendMsMean)} ms per request`);

export interface Clients {
  readonly batch: readonly number[];
  readonly single: readonly number[];
}

/**
 * Runs the loads in a fixed order (warm-up, 1000-event requests per client count, single-event
 * requests per client count), taking requests from the workload as it goes. `prepare` turns the
 * requests of one load into what `send` sends before that load's clock starts.
 */
async function runLoads<T>(
  label: string,
  workload: IngestWorkload,
  plan: IngestPlan,
  progress: Progress,
  prepare: (requests: IngestRequest[]) => T[],
  send: (item: T) => Promise<void>,
  clients: Clients = { batch: plan.batchClients, single: plan.singleClients },
  appended?: () => Promise<AppendTotals>,
): Promise<Runs> {
  const load = async (count: number, perRequest: number, concurrency: number) => {
    const items = prepare(workload.take(count, perRequest));
    const before = await appended?.();
    const result = await runLoad(concurrency, items.length, async (index) => {
      await send(items[index] as T);
      return perRequest;
    });
    const after = await appended?.();
    if (!before || !after || after.count === before.count) return result;
    const appendMsMean = ((after.seconds - before.seconds) / (after.count - before.count)) * 1000;
    return { ...result, appendMsMean };
  };
  await load(WARM_BATCHES, BATCH, 1);
  await load(WARM_SINGLES, 1, 4);
  const batch: IngestLoad[] = [];
  for (const concurrency of clients.batch) {
    batch.push(await load(plan.batchRequests, BATCH, concurrency));
    progress(
      `ingest ${label}: ${BATCH}-event requests ${describeLoad(batch.at(-1) as LoadResult)}`,
    );
  }
  const single: IngestLoad[] = [];
  for (const concurrency of clients.single) {
    single.push(await load(plan.singleRequests, 1, concurrency));
    progress(`ingest ${label}: single-event requests ${describeLoad(single.at(-1) as LoadResult)}`);
  }
  return { batch, single };
}

export async function createPartiesAt(url: string, parties: IngestWorkload['parties']) {
  const poster = createJsonPoster(url, 8);
  try {
    return await registerParties(poster, parties);
  } finally {
    poster.close();
  }
}

/** POSTs the workload's requests to `url`, each with the API key of the request's party. */
export async function postLoads(
  label: string,
  url: string,
  keys: ReadonlyMap<string, string>,
  workload: IngestWorkload,
  plan: IngestPlan,
  progress: Progress,
  clients?: Clients,
): Promise<Runs> {
  const poster = createJsonPoster(url, 64);
  try {
    return await runLoads(
      label,
      workload,
      plan,
      progress,
      (requests) => requests,
      async (request) => {
        const answer = await poster.post('/v1/events', keys.get(request.party) ?? '', request.body);
        if (answer.status !== 202) {
          throw new Error(
            `POST /v1/events (${label}) answered ${answer.status}: ${answer.body.slice(0, 300)}`,
          );
        }
      },
      clients,
      () => appendTotals(url),
    );
  } finally {
    poster.close();
  }
}

/** The raw producer: the same requests, as the records ingest appends, on the same broker. */
export async function measureRaw(
  brokers: readonly string[],
  partitions: number,
  workload: IngestWorkload,
  plan: IngestPlan,
  progress: Progress,
): Promise<Runs> {
  const producer = await openRawProducer(brokers, partitions);
  try {
    return await runLoads('raw producer', workload, plan, progress, logRecordsFor, (records) =>
      producer.send(records),
    );
  } finally {
    await producer.close();
  }
}

/**
 * The embedded log alone: the same requests, as the records ingest appends with their identities,
 * appended by this process to a SQLite event log of its own, concurrent appends grouped into one
 * transaction as the platform groups them. Whatever embedded ingest costs beyond this is the
 * platform's own (HTTP, validation, fingerprints, and the projector on the same thread).
 */
export async function measureRawLog(
  workload: IngestWorkload,
  plan: IngestPlan,
  progress: Progress,
): Promise<Runs> {
  const dir = await mkdtemp(join(tmpdir(), 'suyuan-bench-raw-log-'));
  const log = createSqliteEventLog({ path: join(dir, 'events.db') });
  try {
    await log.ensureTopic(EVENTS_TOPIC);
    const identities = log.identities;
    if (!identities) throw new Error('the embedded event log settles no identities');
    return await runLoads(
      'raw embedded log',
      workload,
      plan,
      progress,
      identifiedLogRecordsFor,
      async (records) => {
        const outcome = await identities.appendNew(EVENTS_TOPIC, records);
        if ('clashes' in outcome) throw new Error('raw embedded log: an event id clashed');
      },
    );
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}
