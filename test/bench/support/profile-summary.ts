/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`, or from `cpuProfileEnv` below) and lists where the time went by self time:
 * the top functions, and the same time grouped by where the code lives (a package under
 * node_modules, a file of ours, Node's internals, GC). Benchmarks put these lines in their notes.
 *
 *   npx tsx test/bench/support/profile-summary.ts <file.cpuprofile> [--top 20]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pollUntil } from '../../support/poll.js';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface CostLine {
  readonly name: string;
  readonly selfMs: number;
  /** Share of all sampled time, idle included, in percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Sampled time spent waiting for work: the process had spare CPU. */
  readonly idleMs: number;
  readonly functions: readonly CostLine[];
  readonly areas: readonly CostLine[];
}

/** What V8 records instead of a function: not code to attribute to a caller. */
const V8_STATES = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where a script lives: the package under node_modules, a path of ours, or Node's own code. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] ?? path;
  if (path.startsWith('node:'))
    return path.split('/')[0] === 'node:internal' ? 'node:internal' : path;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/**
 * `name (where:line)`; a native function (no script) is named with its JavaScript caller, since
 * `run` or `(anonymous)` alone says nothing (better-sqlite3's `run ← sqliteTransaction`).
 */
function functionLabel(node: ProfileNode, parents: ReadonlyMap<number, ProfileNode>): string {
  const { callFrame } = node;
  const name = callFrame.functionName || '(anonymous)';
  if (callFrame.url === '') {
    if (V8_STATES.has(name)) return name;
    const parent = parents.get(node.id);
    return parent ? `${name} ← ${functionLabel(parent, parents)}` : `${name} (native)`;
  }
  const file = areaOf(callFrame.url, name);
  const short =
    callFrame.url
      .replace(/^file:\/\//, '')
      .split('/')
      .slice(-1)[0] ?? file;
  return `${name} (${file === short ? file : `${file}: ${short}`}:${callFrame.lineNumber + 1})`;
}

function topLines(totals: Map<string, number>, totalMs: number, top: number): CostLine[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({
      name,
      selfMs: Math.round(ms),
      percent: Math.round((ms / totalMs) * 1000) / 10,
    }));
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, micros] of selfMicros) {
    const node = nodes.get(id);
    // Stopping the profiler (serialising the profile) is sampled too; it is not the process's work.
    if (!node || (parents.get(id) ?? node).callFrame.url === 'node:inspector') continue;
    const ms = micros / 1000;
    totalMs += ms;
    if (node.callFrame.functionName === '(idle)') idleMs += ms;
    const label = functionLabel(node, parents);
    byFunction.set(label, (byFunction.get(label) ?? 0) + ms);
    // A native function counts in the area of the script that called it.
    const scripted = node.callFrame.url === '' ? (parents.get(id) ?? node) : node;
    const area = V8_STATES.has(node.callFrame.functionName)
      ? node.callFrame.functionName
      : areaOf(scripted.callFrame.url, scripted.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  }
  return {
    totalMs: Math.round(totalMs),
    idleMs: Math.round(idleMs),
    functions: topLines(byFunction, totalMs, top),
    areas: topLines(byArea, totalMs, top),
  };
}

export async function summarizeProfileFile(path: string, top = 15): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await readFile(path, 'utf8')) as CpuProfile, top);
}

/** The `.cpuprofile` files `node --cpu-prof` wrote into `dir` for the process `pid`. */
export async function profilesOf(dir: string, pid: number): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return files
    .filter((file) => file.endsWith('.cpuprofile') && file.includes(`.${pid}.`))
    .map((file) => join(dir, file));
}

/**
 * A module preloaded with `--import` that profiles the process through the inspector from the
 * moment it receives SIGUSR2 (`startCpuProfile`) and writes `CPU.<pid>.cpuprofile` at the second
 * SIGUSR2 (`stopCpuProfile`) or at a clean exit. Loaded but not started it costs nothing, so a benchmark can spawn every platform with it
 * and profile only the work that missed its target, without start-up and set-up in the profile.
 * (Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and the spawn helpers pass only the environment.)
 */
const PROFILER_PRELOAD = (dir: string) => `
import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';
let session;
let written = false;
// The in-process session answers synchronously, so this also runs to the end in an exit handler.
// Written under a temporary name and renamed, so a reader never sees half a profile.
const stopAndWrite = () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const file = ${JSON.stringify(dir)} + '/CPU.' + process.pid + '.cpuprofile';
    writeFileSync(file + '.part', JSON.stringify(result.profile));
    renameSync(file + '.part', file);
  });
  session.disconnect();
  written = true;
};
process.on('SIGUSR2', () => {
  if (written) return;
  if (session) return stopAndWrite();
  session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
});
process.on('exit', () => {
  if (session && !written) stopAndWrite();
});
`;

/** NODE_OPTIONS that let `startCpuProfile` profile a child process into `dir`. */
export function cpuProfileEnv(dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const preload = join(dir, 'cpu-profiler.mjs');
  writeFileSync(preload, PROFILER_PRELOAD(dir));
  const inherited = process.env.NODE_OPTIONS ?? '';
  return { NODE_OPTIONS: `${inherited} --import=${pathToFileURL(preload).href}`.trim() };
}

/**
 * Starts profiling a child spawned with `cpuProfileEnv`; the profile is written when it exits,
 * or at once by `stopCpuProfile`.
 */
export function startCpuProfile(child: ChildProcess): void {
  if (!child.kill('SIGUSR2')) throw new Error(`startCpuProfile: process ${child.pid} is gone`);
}

/** Stops the profile `startCpuProfile` started and returns the file, once it is written. */
export async function stopCpuProfile(child: ChildProcess, dir: string): Promise<string> {
  if (!child.kill('SIGUSR2')) throw new Error(`stopCpuProfile: process ${child.pid} is gone`);
  const [file] = await pollUntil(
    async () => {
      const files = await profilesOf(dir, child.pid ?? -1);
      return files.length > 0 ? files : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `the CPU profile of process ${child.pid}` },
  );
  return file as string;
}

/** One line for a scenario's notes: the biggest self-time costs, as shares of the busy time. */
export function describeProfile(what: string, summary: ProfileSummary, lines = 6): string {
  const busy = Math.max(1, summary.totalMs - summary.idleMs);
  const list = (costs: readonly CostLine[]) =>
    costs
      .filter((cost) => cost.name !== '(idle)')
      .slice(0, lines)
      .map((cost) => `${cost.name} ${Math.round((cost.selfMs / busy) * 100)}%`)
      .join('; ');
  return (
    `${what}: the main thread was busy ${Math.round(busy)} of ${summary.totalMs} ms sampled ` +
    `(the rest it waited: I/O, other processes). Self time by area, share of busy: ` +
    `${list(summary.areas)}. Top functions: ${list(summary.functions)}.`
  );
}

function printSummary(summary: ProfileSummary): void {
  console.log(`sampled ${summary.totalMs} ms, idle ${summary.idleMs} ms\n`);
  for (const [title, costs] of [
    ['by area', summary.areas],
    ['by function', summary.functions],
  ] as const) {
    console.log(`${title}:`);
    for (const cost of costs) {
      console.log(
        `  ${String(cost.selfMs).padStart(8)} ms ${String(cost.percent).padStart(5)}%  ${cost.name}`,
      );
    }
    console.log('');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '20' } },
  });
  const [file] = positionals;
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
  printSummary(await summarizeProfileFile(file, Number(values.top)));
}
