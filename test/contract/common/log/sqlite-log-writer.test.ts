/** The embedded log's writer thread (sqlite-log-writer.ts): what happens when it fails or ends. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventLog } from '../../../../services/common/log/sqlite-event-log.js';
import { startWriterThread } from '../../../../services/common/log/sqlite-log-writer.js';
import type { Logger } from '../../../../services/common/logger.js';
import { capturingLogger } from '../../../support/log-lines.js';
import { pollUntil } from '../../../support/poll.js';
import { collectBatches, record, texts } from './support/log-records.js';

const SQLITE_EVENT_LOG = fileURLToPath(
  new URL('../../../../services/common/log/sqlite-event-log.ts', import.meta.url),
);

describe('the embedded log’s writer thread', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-sqlite-writer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A log whose writer thread the test can end. */
  function logWithWriterThread(path: string, logger?: Logger) {
    let thread: Worker | undefined;
    const log = createSqliteEventLog({
      path,
      ...(logger && { logger }),
      startWriter: (options) => {
        const writer = startWriterThread(options);
        thread = writer.worker;
        return writer;
      },
    });
    return { log, endThread: () => (thread as Worker).terminate() };
  }

  it('once it fails, lets the main thread write, losing no acknowledged record', async () => {
    const path = join(dir, 'log.db');
    const captured = capturingLogger('error');
    const { log, endThread } = logWithWriterThread(path, captured.logger);
    try {
      await log.append('lots', [record('before-1'), record('before-2')]);
      await endThread();
      await pollUntil(
        () => captured.lines.some((line) => /writer thread failed/.test(String(line.msg))),
        {
          what: 'the log to say its writer thread failed',
        },
      );
      const after = await log.append('lots', [record('after-1')]);
      expect(after).toEqual([{ partition: 0, offset: 2 }]);
      const { subscription, batches } = await collectBatches(log, {});
      await pollUntil(() => batches.flat().length === 3, { what: 'the three records delivered' });
      await subscription.stop();
    } finally {
      await log.close();
    }
    const reopened = createSqliteEventLog({ path });
    try {
      const stored = await reopened.read('lots', { fromOffset: 0, maxRecords: 10 });
      expect(texts(stored)).toEqual(['before-1', 'before-2', 'after-1']);
      expect(await reopened.committedOffsets('lots', 'projector')).toEqual(new Map([[0, 3]]));
    } finally {
      await reopened.close();
    }
  });
  it('runs on the main thread what it was sent before it could open the log', async () => {
    const { log, endThread } = logWithWriterThread(join(dir, 'log.db'));
    try {
      // Sent at once, and the thread ended before it has loaded: it never opened the log.
      const appended = log.append('lots', [record('first')]);
      await endThread();
      expect(await appended).toEqual([{ partition: 0, offset: 0 }]);
      expect(texts(await log.read('lots', { fromOffset: 0, maxRecords: 10 }))).toEqual(['first']);
    } finally {
      await log.close();
    }
  });

  it('closes in a process that has nothing else to do, which then exits 0', async () => {
    // A tool's last step (npm run log, replay, the bench): its threads, idle, keep no process
    // alive, so the close must hold the process until they have exited. Whether the process
    // ended first was a race, lost about two times in three: five processes in turn.
    const script = [
      `import { createSqliteEventLog } from ${JSON.stringify(SQLITE_EVENT_LOG)};`,
      'const log = createSqliteEventLog({ path: process.argv[1] });',
      "await log.append('lots', [{ key: 'k', value: Buffer.from('v') }]);",
      'await log.close();',
      "console.log('closed');",
    ].join('\n');
    const closeInAProcess = async (n: number) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, join(dir, `log-${n}.db`)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, output: output.trim() };
    };
    for (let n = 0; n < 5; n += 1) {
      expect(await closeInAProcess(n)).toEqual({ code: 0, output: 'closed' });
    }
  });
});
