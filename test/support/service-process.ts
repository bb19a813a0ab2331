/**
 * Runs one of the platform's entry points as a real child process and waits for its
 * "service listening" log line. Tests kill it with SIGKILL or stop it with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './poll.js';

/** Characters of a child's output kept for `output()`. */
const OUTPUT_KEPT = 4_000_000;

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (−1 for a signal) once the process has exited. */
  readonly exited: Promise<number>;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** `entry` is relative to the repository root, e.g. `services/ingest/main.ts`. */
export async function spawnService(
  entry: string,
  env: Record<string, string>,
  options: { name?: string; listeningPattern?: RegExp; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const name = options.name ?? entry;
  const pattern = options.listeningPattern ?? /"url":"(http:\/\/[^"]+)".*"msg":"service listening"/;
  const main = fileURLToPath(new URL(`../../${entry}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let url: string | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    url ??= pattern.exec(output)?.[1];
    // A process under load logs a line per request: keep the end, which is what a failure shows.
    if (output.length > OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT / 2);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code ?? -1;
      resolve(exitCode);
    }),
  );
  const kill = async () => {
    if (exitCode === undefined) child.kill('SIGKILL');
    await exited;
  };
  try {
    await pollUntil(
      () => {
        if (exitCode !== undefined)
          throw new Error(`${name} exited with ${exitCode} before listening:\n${output}`);
        return url;
      },
      { timeoutMs: options.timeoutMs ?? 90_000, intervalMs: 50, what: `${name} to listen` },
    );
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    name,
    url: url as string,
    child,
    exited,
    output: () => output,
    kill,
    async stop(graceMs = 15_000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
