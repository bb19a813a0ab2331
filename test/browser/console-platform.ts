/**
 * What the browser test and the console benchmark share: a real embedded platform with the web
 * console in front of it, the demo chain loaded through the API, and Debian's Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { buildDairyChain, postingPlan, type DairyChain } from '../../services/demo/dairy-chain.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CONSOLE_ROOT = join(PROJECT_ROOT, 'dist', 'console');

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/** Builds the console once; a later run reuses dist/console. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_ROOT, 'index.html'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'services/console/vite.config.ts'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
}

export interface ConsolePlatform {
  readonly api: TestPlatform;
  /** The origin the browser opens: `${url}/console/`. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startConsolePlatform(
  env: Record<string, string> = {},
): Promise<ConsolePlatform> {
  const api = await startTestPlatform(env);
  return { api, url: api.url, stop: () => api.stop() };
}

/** Registers the demo's parties and posts its events; answers each party's key. */
export async function loadDairyChain(api: TestPlatform): Promise<{
  chain: DairyChain;
  keys: Map<string, string>;
}> {
  const chain = buildDairyChain();
  const keys = new Map<string, string>();
  for (const party of chain.parties)
    keys.set(party.partyId, await api.createParty(party.partyId, [...party.roles], party.name));
  for (const chunk of postingPlan(chain.timeline)) {
    const response = await api.postEvents(keys.get(chunk.party) ?? '', chunk.events);
    if (response.status !== 202) throw new Error(`demo load answered ${response.status}`);
  }
  await api.waitForBatch(keys.get(chain.regulatorPartyId) ?? '', chain.batchIds.at(-1) ?? '');
  return { chain, keys };
}
