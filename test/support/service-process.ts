/**
 * Runs one of the platform's entry points as a real child process and waits for its
 * "service listening" log line. Tests kill it with SIGKILL or stop it with SIGTERM.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SERVICE_NODE_FLAGS } from '../../services/common/runtime/node-flags.js';
import { pollUntil } from './poll.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let built: Promise<unknown> | undefined;

/**
 * Compiles the services into dist/, once per test process (incremental: quick when dist/ is
 * current), so that a process started `compiled` never runs a stale build. A test that times a
 * compiled start awaits this first.
 */
export function compileServices(): Promise<unknown> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  built ??= promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    timeout: 300_000,
  });
  return built;
}

/** Through tsx, or compiled as production runs it (what start-up time is measured on). */
async function commandFor(entry: string, compiled: boolean): Promise<string[]> {
  if (!compiled) return ['--import', 'tsx', join(ROOT, entry)];
  await compileServices();
  return [join(ROOT, 'dist', entry.replace(/\.ts$/, '.js'))];
}

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
  options: {
    name?: string;
    listeningPattern?: RegExp;
    timeoutMs?: number;
    compiled?: boolean;
    /** Called with each whole line the process prints (to follow it while it starts). */
    onLine?: (line: string) => void;
  } = {},
): Promise<ServiceProcess> {
  const name = options.name ?? entry;
  const pattern = options.listeningPattern ?? /"url":"(http:\/\/[^"]+)".*"msg":"service listening"/;
  const args = [...SERVICE_NODE_FLAGS, ...(await commandFor(entry, options.compiled ?? false))];
  const child = spawn(process.execPath, args, {
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
  const { onLine } = options;
  if (onLine) {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
    }
  }
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
