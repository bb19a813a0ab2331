/**
 * What the browser test and the console benchmark share: a real embedded platform with the web
 * console in front of it, the demo chain loaded through the API, and Debian's Chromium.
 *
 * Until services/embedded/platform.ts registers the console itself, a small front server serves
 * the built console and forwards `/v1/*` to the platform, so the browser still sees one origin.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { registerConsole } from '../../services/console/serve.js';
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

async function startFront(apiUrl: string): Promise<{ front: FastifyInstance; url: string }> {
  const front = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  await registerConsole(front, { root: CONSOLE_ROOT });
  front.all('/v1/*', async (request, reply) => {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(`${apiUrl}${request.url}`, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    for (const name of ['content-type', 'content-disposition']) {
      const value = response.headers.get(name);
      if (value) void reply.header(name, value);
    }
    return reply.code(response.status).send(Buffer.from(await response.arrayBuffer()));
  });
  return { front, url: await front.listen({ port: 0, host: '127.0.0.1' }) };
}

export async function startConsolePlatform(
  env: Record<string, string> = {},
): Promise<ConsolePlatform> {
  const api = await startTestPlatform(env);
  const served = (await fetch(`${api.url}/console/`)).status !== 404;
  const front = served ? undefined : await startFront(api.url);
  return {
    api,
    url: front?.url ?? api.url,
    async stop() {
      await front?.front.close();
      await api.stop();
    },
  };
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
