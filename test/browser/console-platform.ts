/**
 * What the browser test and the console benchmark share: a real embedded platform with the web
 * console in front of it, the demo chain loaded through the API, and Debian's Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { CHROMIUM_PATH } from '../support/parts.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

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

/** The unit each of the recall view's recovered bars stands for, in the order shown. */
export const unitsOf = async (bars: Locator): Promise<Array<string | null>> =>
  Promise.all((await bars.all()).map((bar) => bar.getAttribute('data-unit')));
