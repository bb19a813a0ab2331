/**
 * Recall scenario: for recalls reaching 1k parties (and 10k at large scale), the time from a
 * CRITICAL defect's 202 to every notice issued and to every notice delivered to a local webhook
 * receiver, and the mock recall (POST /v1/recalls/mock) of the same scope. When 10k parties are
 * not all issued within the target, the second lot is recalled under the profiler (started and
 * stopped by signal), so the profile holds the defect's 202 to every notice issued, nothing else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  measureFanout,
  measureMockRecall,
  RECALL_LOTS,
  setUpFanoutChain,
  tearDownFanoutChain,
  type FanoutChain,
} from '../support/recall-fanout.js';
import {
  cpuProfileEnv,
  describeProfile,
  startCpuProfile,
  stopCpuProfile,
  summarizeProfileFile,
} from '../support/profile-summary.js';
import { round } from '../support/stats.js';
import type { Figure, Scenario, ScenarioContext } from './types.js';

const SCOPES: Record<ScenarioContext['scale'], readonly number[]> = {
  small: [1_000],
  large: [1_000, 10_000],
};
const ISSUED_TARGET = { parties: 10_000, ms: 5_000 } as const;
const MOCK_ROUNDS = 5;

/** Recalls the second lot under the profiler, from the defect to every notice issued. */
async function profileFanout(
  chain: FanoutChain,
  profileDir: string,
  context: ScenarioContext,
): Promise<string> {
  const { child } = chain.platform;
  let file: string | undefined;
  startCpuProfile(child);
  const times = await measureFanout(chain, RECALL_LOTS[1], async () => {
    file = await stopCpuProfile(child, profileDir);
  });
  context.progress(`recall ${chain.parties} (profiled): issued ${times.issuedMs} ms`);
  return describeProfile(
    `Platform process from a second defect's 202 to every notice issued for ${chain.parties} parties (${times.issuedMs} ms under the profiler)`,
    await summarizeProfileFile(file ?? ''),
  );
}

async function measureScope(parties: number, context: ScenarioContext) {
  const profileDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-recall-prof-'));
  const chain = await setUpFanoutChain(parties, context.progress, cpuProfileEnv(profileDir)).catch(
    async (error: unknown) => {
      await rm(profileDir, { recursive: true, force: true });
      throw error;
    },
  );
  try {
    const mock = await measureMockRecall(chain, RECALL_LOTS[0], MOCK_ROUNDS);
    context.progress(`recall ${parties}: mock recall p50 ${round(mock.latencyMs.p50)} ms`);
    const fanout = await measureFanout(chain, RECALL_LOTS[0]);
    context.progress(
      `recall ${parties}: all notices issued ${fanout.issuedMs} ms, delivered ${fanout.deliveredMs} ms`,
    );
    const targeted = parties === ISSUED_TARGET.parties;
    const missed = targeted && fanout.issuedMs >= ISSUED_TARGET.ms;
    const note = missed ? await profileFanout(chain, profileDir, context) : undefined;
    const figures: Figure[] = [
      {
        name: `recall reaching ${parties} parties: every notice issued after the defect's 202`,
        value: fanout.issuedMs,
        unit: 'ms',
        ...(targeted && {
          target: `< ${ISSUED_TARGET.ms} ms`,
          met: fanout.issuedMs < ISSUED_TARGET.ms,
        }),
        detail: { parties, 'set-up s': chain.setupSeconds },
      },
      {
        name: `recall reaching ${parties} parties: every notice delivered to a local webhook receiver`,
        value: fanout.deliveredMs,
        unit: 'ms',
        detail: { parties },
      },
      {
        name: `mock recall reaching ${parties} parties (POST /v1/recalls/mock)`,
        value: round(mock.latencyMs.p50),
        unit: 'ms',
        detail: {
          'p50 ms': round(mock.latencyMs.p50),
          'max ms': round(mock.latencyMs.max),
          'server elapsedMs p50': mock.serverMsP50,
          'parties reached': mock.partiesReached,
          'affected batches': mock.affectedBatches,
          rounds: mock.latencyMs.n,
        },
      },
    ];
    return { figures, note };
  } finally {
    await tearDownFanoutChain(chain);
    await rm(profileDir, { recursive: true, force: true });
  }
}

export const recallScenario: Scenario = async (context) => {
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const parties of SCOPES[context.scale]) {
    const scope = await measureScope(parties, context);
    figures.push(...scope.figures);
    if (scope.note) notes.push(scope.note);
  }
  if (context.scale === 'small') {
    notes.push(
      `Small scale measures 1 000 parties only; the target (${ISSUED_TARGET.parties} parties issued < ${ISSUED_TARGET.ms} ms) is measured at --scale large.`,
    );
  }
  return { scenario: 'recall', figures, notes };
};
