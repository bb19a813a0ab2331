/**
 * The public trace-code check (issue 17): checks per second the embedded platform answers at 1,
 * 16 and 64 clients, each figure beside `GET /healthz` measured the same way in the same run, on
 * the generated chain with every party's profile public (so each check reads the batch, its
 * recalls, its inspections and its origin upstream). JSON and HTML, known and unknown codes.
 *
 * The load comes from this process with autocannon; the platform is a child process on a copy of
 * the cached graph. Each client comes from its own address (X-Forwarded-For, the platform trusting
 * loopback as it would its proxy), and the per-address limit is lifted: this measures capacity.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSupplyChain, SCALE_BATCHES } from '../generator/supply-chain.js';
import { spawnPlatform } from '../../support/platform-process.js';
import { TEST_ADMIN_KEY } from '../../support/platform.js';
import { ensureTraceGraph } from '../generator/trace-graph.js';
import { loadAverage } from '../generator/stats.js';
import {
  cycle,
  runHttpLoad,
  type HttpLoadRequest,
  type HttpLoadResult,
} from '../support/http-load.js';
import {
  cpuProfileEnv,
  describeProfile,
  startCpuProfile,
  stopCpuProfile,
  summarizeProfileFile,
} from '../support/profile-summary.js';
import { ensureServingIndex } from '../support/serving-index.js';
import { stopPlatformProcess } from '../support/stop-platform.js';
import type { Figure, Scenario, ScenarioContext } from './types.js';

const CLIENTS = [1, 16, 64] as const;
const SECONDS: Record<ScenarioContext['scale'], number> = { small: 5, large: 10 };
const TARGET = 2000;

interface Probe {
  readonly name: string;
  readonly next: () => HttpLoadRequest;
  readonly targeted?: boolean;
  readonly expectStatus?: number;
}

/** Makes every party of the chain public, as the admin would for each. */
async function publishProfiles(url: string, partyIds: readonly string[]): Promise<void> {
  for (const partyId of partyIds) {
    const response = await fetch(
      `${url}/v1/parties/${encodeURIComponent(partyId)}/public-profile`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ showName: true, region: `region of ${partyId}` }),
      },
    );
    if (response.status !== 200) throw new Error(`profile of ${partyId}: ${response.status}`);
  }
}

function probes(codes: readonly string[]): Probe[] {
  const nextCode = cycle(codes);
  let client = 0;
  // A different client address per request, from many /24 networks: as many phones would.
  const from = () => {
    client += 1;
    return { 'x-forwarded-for': `10.${(client >> 8) & 255}.${client & 255}.${client % 200}` };
  };
  let unknown = 0;
  return [
    { name: 'GET /healthz', next: () => ({ path: '/healthz' }) },
    {
      name: 'public check, JSON (GET /t/{code}, Accept: application/json)',
      next: () => ({
        path: `/t/${encodeURIComponent(nextCode())}`,
        headers: { accept: 'application/json', ...from() },
      }),
      targeted: true,
    },
    {
      name: 'public check, HTML page (GET /t/{code})',
      next: () => ({
        path: `/t/${encodeURIComponent(nextCode())}`,
        headers: { accept: 'text/html', 'accept-language': 'zh-CN', ...from() },
      }),
      targeted: true,
    },
    {
      name: 'public check of an unknown code (404)',
      next: () => ({
        path: `/t/NO-SUCH-${(unknown += 1)}`,
        headers: { accept: 'application/json', ...from() },
      }),
      expectStatus: 404,
    },
  ];
}

const detailOf = (result: HttpLoadResult, healthz?: HttpLoadResult) => ({
  clients: result.connections,
  p50: result.latencyMs.p50,
  p99: result.latencyMs.p99,
  failed: result.failed,
  ...(healthz && { ofHealthz: Math.round((result.perSecond / healthz.perSecond) * 1000) / 1000 }),
});

export const publicScenario: Scenario = async (context) => {
  const seconds = SECONDS[context.scale];
  const loadAtStart = loadAverage();
  const graph = await ensureTraceGraph({
    scale: context.scale,
    seed: context.seed,
    progress: context.progress,
  });
  // Derived once in the cached graph, so the copy's platform does not derive it again.
  await ensureServingIndex(graph.dataDir, context.progress);
  const copy = await mkdtemp(join(tmpdir(), 'suyuan-public-bench-'));
  context.progress(`public: copying the graph to ${copy}`);
  await cp(graph.dataDir, copy, { recursive: true });
  const profileDir = await mkdtemp(join(tmpdir(), 'suyuan-public-prof-'));
  const platform = await spawnPlatform(
    copy,
    {
      ...cpuProfileEnv(profileDir),
      SUYUAN_RATE_LIMIT_MAX: '1000000000',
      SUYUAN_PUBLIC_RATE_LIMIT_MAX: '1000000000',
      SUYUAN_TRUST_PROXY: 'loopback',
      SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
    },
    600_000,
  );
  try {
    const { url } = platform;
    const chain = createSupplyChain({ batches: SCALE_BATCHES[context.scale], seed: context.seed });
    context.progress(`public: making the ${chain.parties.length} parties' profiles public`);
    await publishProfiles(
      url,
      chain.parties.map((party) => party.partyId),
    );
    const { source, middle, edge } = graph.manifest.picks;
    const codes = [...edge, ...middle, ...source];
    const figures: Figure[] = [];
    let profile: string | undefined;
    const healthz = new Map<number, HttpLoadResult>();
    for (const probe of probes(codes)) {
      for (const clients of CLIENTS) {
        const profiled = probe.targeted && clients === 16 && !profile;
        if (profiled) startCpuProfile(platform.child);
        const result = await runHttpLoad({
          url,
          connections: clients,
          seconds,
          next: probe.next,
          ...(probe.expectStatus !== undefined && { expectStatuses: [probe.expectStatus] }),
        });
        if (profiled) {
          profile = describeProfile(
            `Platform process under ${probe.name} at 16 clients (${result.perSecond}/s under the profiler)`,
            await summarizeProfileFile(await stopCpuProfile(platform.child, profileDir)),
          );
        }
        if (probe.name === 'GET /healthz') healthz.set(clients, result);
        const base = healthz.get(clients);
        context.progress(
          `public: ${probe.name}, ${clients} clients: ${result.perSecond}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, failed ${result.failed}`,
        );
        figures.push({
          name: `${probe.name}, ${clients} clients`,
          value: result.perSecond,
          unit: 'req/s',
          ...(probe.targeted &&
            clients === 16 && { target: `≥ ${TARGET} checks/s`, met: result.perSecond >= TARGET }),
          detail: detailOf(result, probe.name === 'GET /healthz' ? undefined : base),
        });
      }
    }
    return {
      scenario: 'public',
      figures,
      notes: [
        `Load from the bench process with autocannon (keep-alive connections, closed loop), ${seconds} s per figure; the platform is a separate process on a copy of the cached graph (${graph.manifest.batches} batches), every party public, codes cycling over ${codes.length} batches (sources, intermediates, finished lots).`,
        `Machine load average (1 min) ${loadAtStart} at the start, ${loadAverage()} at the end, on ${cpus().length} cores, shared.`,
        ...(profile ? [profile] : []),
      ],
    };
  } finally {
    await stopPlatformProcess(platform);
    await rm(copy, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  }
};
