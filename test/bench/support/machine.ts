/**
 * The machine and code a benchmark ran on, for the results file: figures mean little without the
 * cores, memory, Node version and commit beside them.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * The commit checked out, with "+changes" when the tree differs from it (the results this suite
 * writes itself aside, or every scenario after the first would say so); "unknown" without git.
 */
export function gitCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short=12', 'HEAD');
    const changed = git('status', '--porcelain', '--', '.', ':(exclude)test/bench/results');
    return changed.length > 0 ? `${commit}+changes` : commit;
  } catch {
    return 'unknown';
  }
}
