import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EventLogConfig } from '../../../../../services/common/log/create-event-log.js';
import type { LogRecord } from '../../../../../services/common/log/event-log.js';

/** The environment variable that hands the job, as JSON, to the child process. */
export const LOG_CHILD_JOB_ENV = 'SUYUAN_LOG_CHILD_JOB';

export type LogChildJob =
  | {
      readonly mode: 'append';
      readonly config: EventLogConfig;
      readonly topic: string;
      readonly appends: number;
      readonly recordsPerAppend: number;
    }
  | {
      readonly mode: 'consume';
      readonly config: EventLogConfig;
      readonly topic: string;
      readonly groupId: string;
    };

/** A partition and offset, as the child prints them. */
export interface Position {
  readonly partition: number;
  readonly offset: number;
}

/** The record the appending child writes at `index` within its append number `appendIndex`. */
export function childRecord(appendIndex: number, index: number): LogRecord {
  return {
    key: `lot-${index % 2}`,
    value: Buffer.from(`append ${appendIndex} record ${index}`),
    headers: { append: String(appendIndex) },
  };
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Every complete line the child printed before it ended. */
  readonly lines: Position[][];
}

export interface LogChild {
  /**
   * Every complete line printed so far: one per append (its receipts) in `append` mode, one per
   * batch (its positions) in `consume` mode. Throws when the child ended on its own.
   */
  lines(): Position[][];
  /** Kills the child with SIGKILL (unless it already ended) and waits until its output is closed. */
  kill(): Promise<ChildExit>;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./log-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

export function spawnLogChild(job: LogChildJob): LogChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], {
    cwd: REPO_ROOT,
    env: { ...process.env, [LOG_CHILD_JOB_ENV]: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ended: ChildExit | undefined;
  let failure: Error | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.once('error', (error) => (failure = error));
  const closed = new Promise<ChildExit>((resolve) =>
    child.once('close', (code, signal) => {
      ended = { code, signal, lines: parseLines(stdout) };
      resolve(ended);
    }),
  );
  return {
    lines() {
      if (failure) throw failure;
      if (ended) {
        const { code, signal } = ended;
        throw new Error(
          `log child ended early (code ${code}, signal ${signal}); stderr:\n${stderr}`,
        );
      }
      return parseLines(stdout);
    },
    kill() {
      if (!ended) child.kill('SIGKILL');
      return closed;
    },
  };
}

/** Complete lines only: a line cut short by SIGKILL has no newline yet. */
function parseLines(output: string): Position[][] {
  const complete = output.slice(0, output.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Position[]);
}
