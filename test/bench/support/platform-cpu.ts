/**
 * How busy a platform process's threads were over a stretch of load, read from /proc: its main
 * thread (HTTP, ingest, the consumers' JavaScript) and the rest (the log's writer, LMDB's and
 * chDB's threads, V8's helpers), each as a share of one core. Beside a rate it tells a platform
 * that works harder from one that waits, or a load process that sends less.
 */
import { readdir, readFile } from 'node:fs/promises';

/** The clock ticks a second that /proc counts in (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_SECOND = 100;

async function threadTicks(pid: number): Promise<{ main: number; others: number }> {
  let main = 0;
  let others = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number(tid) === pid) main += ticks;
    else others += ticks;
  }
  return { main, others };
}

/** CPU seconds of the main thread and of the others over `seconds` of wall time. */
export interface CpuSpent {
  readonly main: number;
  readonly others: number;
  readonly seconds: number;
}

/** Starts counting; the function returned tells what the threads spent since. */
export async function platformCpu(pid: number | undefined): Promise<() => Promise<CpuSpent>> {
  if (pid === undefined) throw new Error('platformCpu: the process has no id (it never started)');
  const before = await threadTicks(pid);
  const started = performance.now();
  return async () => {
    const after = await threadTicks(pid);
    return {
      main: (after.main - before.main) / TICKS_PER_SECOND,
      others: (after.others - before.others) / TICKS_PER_SECOND,
      seconds: (performance.now() - started) / 1000,
    };
  };
}

/** As progress says it: each as a share of one core. */
export function describeCpu({ main, others, seconds }: CpuSpent): string {
  const share = (cpu: number) => (cpu / seconds).toFixed(2);
  return `platform main thread ${share(main)} of a core, other threads ${share(others)}`;
}
