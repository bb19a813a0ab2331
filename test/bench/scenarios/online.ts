/**
 * Online capacity (issue 15): what many clients at once get from the embedded platform on the
 * generated chain, each figure beside `GET /healthz` measured the same way in the same run.
 *
 * - reads at 1, 16 and 64 clients: `/healthz`, a batch lookup, traces of 10–25 nodes, the
 *   ~1 000-node trace;
 * - ingest at 64 clients: single-event POSTs and 1000-event POSTs, the latter beside the ingest
 *   floor, a process that does what ingest does before its append and keeps nothing
 *   (support/ingest-floor.ts), measured before any platform runs;
 * - a mixed run: 1000-event ingest at half its measured capacity while 16 clients trace, with
 *   freshness probes (202 → the new batch visible in a trace) and the traces' latency meanwhile.
 *
 * The load comes from this process with autocannon (the ~1 000-node trace's 1.7 MB answers with
 * Node's own client: node-http-load.ts); the platform is a child process on a copy of the cached
 * graph (ingest writes to it, and the cache must stay as built), read through once first so that
 * its pages are in memory, as a platform's that has run for a while are.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPlatform } from '../../support/platform-process.js';
import { TEST_ADMIN_KEY } from '../../support/platform.js';
import { ensureTraceGraph } from '../generator/trace-graph.js';
import { latencyStats, loadAverage } from '../generator/stats.js';
import { runHttpLoad, type HttpLoadResult } from '../support/http-load.js';
import { runNodeHttpLoad } from '../support/node-http-load.js';
import {
  BATCH_ROUNDS,
  drained,
  freshnessProbe,
  ingestRequests,
  measureOnlineIngest,
} from '../support/online-ingest.js';
import { measureDeniedBurst } from '../support/online-denied.js';
import { detailOf, readProbes, type ReadProbe } from '../support/online-reads.js';
import { ensureServingIndex } from '../support/serving-index.js';
import { residentMegabytes } from '../support/platform-memory.js';
import { stopPlatformProcess } from '../support/stop-platform.js';
import { measureIngestFloor } from '../support/ingest-floor.js';
import { answerFloorFigures } from '../support/answer-floor.js';
import { warmFiles } from '../support/warm-files.js';
import type { Figure, Scenario, ScenarioContext } from './types.js';

const CLIENTS = [1, 16, 64] as const;
const FRESHNESS_PROBES = 40;

interface Plan {
  readonly seconds: number;
  readonly mixedSeconds: number;
}

// The mixed run lasts 20 s at both scales: in 10 s the small graph took 10–11 freshness probes,
// whose p99 is their slowest.
const PLANS: Record<ScenarioContext['scale'], Plan> = {
  small: { seconds: 5, mixedSeconds: 20 },
  large: { seconds: 10, mixedSeconds: 20 },
};

async function measureReads(
  url: string,
  probes: readonly ReadProbe[],
  plan: Plan,
  progress: (line: string) => void,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  // The first probe is `/healthz`, which every other is measured beside.
  const [baseline] = probes;
  const healthz = new Map<number, HttpLoadResult>();
  for (const probe of probes) {
    for (const clients of CLIENTS) {
      const result = await (probe.nodeClient ? runNodeHttpLoad : runHttpLoad)({
        url,
        connections: clients,
        seconds: plan.seconds,
        ...(probe.rounds !== undefined && { amount: clients * probe.rounds, timeoutSeconds: 300 }),
        next: probe.next,
      });
      if (probe === baseline) healthz.set(clients, result);
      const base = healthz.get(clients);
      progress(
        `online: ${probe.name}, ${clients} clients: ${result.perSecond}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, failed ${result.failed}`,
      );
      const target = clients === 16 && probe.target && base ? probe.target(result, base) : {};
      figures.push({
        name: `${probe.name}, ${clients} clients`,
        value: result.perSecond,
        unit: 'req/s',
        ...target,
        detail: {
          ...detailOf(result, probe === baseline ? undefined : base),
          ...(probe.nodeClient && { client: 'node:http (answers of megabytes)' }),
        },
      });
    }
  }
  return figures;
}

async function measureMixed(
  url: string,
  key: string,
  probe: ReadProbe,
  input: string,
  ingest: Awaited<ReturnType<typeof measureOnlineIngest>>,
  plan: Plan,
  progress: (line: string) => void,
): Promise<Figure[]> {
  const rate = Math.max(1, Math.round(ingest.batchEventsPerSecond / 2 / 1000));
  // Freshness is measured from an idle projector: the backlog the ingest figures left behind
  // would otherwise be counted as the mixed run's delay.
  progress('online: waiting for the consumers to work through the ingest figures’ backlog');
  await drained(url);
  progress(
    `online: mixed run, ${rate} × 1000-event POSTs/s with 16 trace clients, ${plan.mixedSeconds} s`,
  );
  const ingestLoad = runHttpLoad({
    url,
    connections: 8,
    seconds: plan.mixedSeconds,
    overallRate: rate,
    timeoutSeconds: 60,
    next: ingestRequests(ingest.keys, ingest.workload, 1000, rate * plan.mixedSeconds + 8),
  });
  const traceLoad = runHttpLoad({
    url,
    connections: 16,
    seconds: plan.mixedSeconds,
    next: probe.next,
  });
  const freshness: number[] = [];
  const started = performance.now();
  while (
    freshness.length < FRESHNESS_PROBES &&
    performance.now() - started < plan.mixedSeconds * 1000
  ) {
    freshness.push(await freshnessProbe(url, key, input));
  }
  const [ingested, traced] = await Promise.all([ingestLoad, traceLoad]);
  const stats = latencyStats(freshness);
  progress(
    `online: mixed: freshness p50 ${stats.p50} ms, p99 ${stats.p99} ms; traces ${traced.perSecond}/s p99 ${traced.latencyMs.p99} ms`,
  );
  return [
    {
      name: 'mixed run: freshness, 202 → visible in a trace',
      value: stats.p99,
      unit: 'ms (p99)',
      target: 'p99 < 1 s',
      met: stats.p99 < 1000,
      detail: { p50: stats.p50, max: stats.max, n: stats.n },
    },
    {
      name: `mixed run: ${probe.name}, 16 clients, during ingest`,
      value: traced.perSecond,
      unit: 'req/s',
      detail: detailOf(traced),
    },
    {
      name: 'mixed run: 1000-event ingest at half capacity',
      value: ingested.perSecond * 1000,
      unit: 'events/s',
      detail: { ...detailOf(ingested), rate: `${rate} req/s asked` },
    },
  ];
}

/**
 * The traces once more with no answer kept (SUYUAN_TRACE_CACHE_MB=0), on a platform of their own
 * first: every request walks the index, as the first request for a batch, or one after a write
 * naming it, does. The figures after them are the platform as it runs, repeated traces answered
 * from the kept answers.
 */
async function measureUncachedTraces(
  dataDir: string,
  key: string,
  picks: Parameters<typeof readProbes>[2],
  plan: Plan,
  context: ScenarioContext,
): Promise<Figure[]> {
  const platform = await spawnPlatform(dataDir, {
    SUYUAN_RATE_LIMIT_MAX: '1000000000',
    SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
    SUYUAN_TRACE_CACHE_MB: '0',
  });
  try {
    const [healthz, , small, large] = await readProbes(platform.url, key, picks, false);
    const probes = [healthz, small, large].flatMap((probe) =>
      probe ? [{ ...probe, name: `${probe.name} (platform keeping no trace answers)` }] : [],
    );
    return await measureReads(platform.url, probes, plan, context.progress);
  } finally {
    await stopPlatformProcess(platform);
  }
}

export const onlineScenario: Scenario = async (context) => {
  const plan = PLANS[context.scale];
  const loadAtStart = loadAverage();
  const graph = await ensureTraceGraph({
    scale: context.scale,
    seed: context.seed,
    progress: context.progress,
  });
  const copy = await mkdtemp(join(tmpdir(), 'suyuan-online-'));
  context.progress(`online: copying the graph to ${copy}`);
  await ensureServingIndex(graph.dataDir, context.progress);
  await cp(graph.dataDir, copy, { recursive: true });
  const warmed = await warmFiles(copy, context.progress);
  const key = graph.manifest.regulatorKey;
  const floor = await measureIngestFloor({
    seed: context.seed,
    rounds: BATCH_ROUNDS,
    progress: context.progress,
  });
  const uncached = await measureUncachedTraces(copy, key, graph.manifest.picks, plan, context);
  const platform = await spawnPlatform(copy, {
    SUYUAN_RATE_LIMIT_MAX: '1000000000',
    SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
  });
  try {
    const { url } = platform;
    const probes = await readProbes(url, key, graph.manifest.picks);
    const reads = await measureReads(url, probes, plan, context.progress);
    // The ~1 000-node trace beside a process that only sends its answers (support/answer-floor.ts).
    const large = probes[3] as ReadProbe;
    const answerFloor = await answerFloorFigures({
      url,
      name: large.name,
      next: large.next,
      clients: CLIENTS,
      seconds: plan.seconds,
      progress: context.progress,
    });
    // Before the ingest figures, whose backlog the projector then works through for minutes.
    const denied = await measureDeniedBurst({
      url,
      adminKey: TEST_ADMIN_KEY,
      batchIds: graph.manifest.picks.middle,
      lookups: (probes[1] as ReadProbe).next,
      seconds: plan.seconds,
      progress: context.progress,
    });
    const ingest = await measureOnlineIngest(
      url,
      platform.child.pid,
      plan.seconds,
      context.seed,
      floor,
      context.progress,
    );
    const smallTrace = probes[2] as ReadProbe;
    const input = graph.manifest.picks.middle[0] ?? '';
    const mixed = await measureMixed(url, key, smallTrace, input, ingest, plan, context.progress);
    const resident = await residentMegabytes(platform);
    return {
      scenario: 'online',
      figures: [
        ...uncached,
        ...reads,
        ...answerFloor,
        ...ingest.figures,
        ...denied,
        ...mixed,
        {
          name: 'platform resident memory at the end, anonymous (heap, chDB)',
          value: resident.anonymous,
          unit: 'MiB',
          ...(context.scale === 'large' && {
            target: '< 2 048 MiB on the 1M-batch graph',
            met: resident.anonymous < 2048,
          }),
          detail: {
            graph: `${graph.manifest.batches} batches, ${graph.manifest.events} events`,
            residentTotalMiB: resident.total,
            fileBackedMiB: resident.fileBacked,
          },
        },
      ],
      notes: [
        `Load from the bench process with autocannon (keep-alive connections, closed loop), ${plan.seconds} s per figure; the ~1 000-node trace (1.7 MB answers) with Node's own client, since autocannon parses answers in JavaScript and on that one measures itself (about 170 answers/s at 16 clients where Node's client read about 1 000). The platform is a separate process on a copy of the cached graph.`,
        `The copy (${(warmed / 1024 ** 3).toFixed(1)} GiB) was read through once before any platform opened it, so that its pages are in memory as a running platform's are (support/warm-files.ts).`,
        `Machine load average (1 min) ${loadAtStart} at the start, ${loadAverage()} at the end, on ${cpus().length} cores.`,
        'Resident memory: the target is read on anonymous memory (what the process needs); the file-backed pages beside it are the memory-mapped serving index and store files, which the kernel takes back under pressure.',
      ],
    };
  } finally {
    await stopPlatformProcess(platform);
    await rm(copy, { recursive: true, force: true });
  }
};
