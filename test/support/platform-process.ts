/**
 * Runs the embedded platform as a real child process (`services/embedded/main.ts`), so tests
 * can kill it with SIGKILL and start it again on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './poll.js';
import { TEST_ADMIN_KEY } from './platform.js';

const MAIN = fileURLToPath(new URL('../../services/embedded/main.ts', import.meta.url));

export interface PlatformProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves once the process has exited. */
  readonly exited: Promise<number | null>;
}

export async function spawnPlatform(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      SUYUAN_DATA_DIR: dataDir,
      SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let output = '';
  let url: string | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    url ??= /"url":"(http:\/\/[^"]+)".*"msg":"suyuan embedded platform listening"/.exec(
      output,
    )?.[1];
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code === null ? -1 : code));
  await pollUntil(
    () => {
      if (exitCode !== undefined)
        throw new Error(`platform exited with ${exitCode} before listening:\n${output}`);
      return url;
    },
    { timeoutMs: 60_000, intervalMs: 50, what: 'the platform process to listen' },
  );
  return { url: url as string, child, exited };
}
