import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCheckpointer } from '../../../../services/common/log/sqlite-checkpointer.js';
import { capturingLogger } from '../../../support/log-lines.js';
import { pollUntil } from '../../../support/poll.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-checkpointer-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('hands checkpoints back, and says why, when its worker cannot open the log', async () => {
  const { logger, lines: logged } = capturingLogger('warn');
  const reasons: string[] = [];
  const checkpointer = startCheckpointer({
    path: join(dir, 'no such directory', 'log.db'),
    logger,
    onFailure: (reason) => reasons.push(reason),
  });

  await pollUntil(() => reasons.length > 0, { what: 'the checkpointer to give up' });
  expect(reasons[0]).toMatch(/directory does not exist|unable to open/);
  expect(logged[0]).toMatchObject({ msg: 'embedded log checkpointer failed' });
  checkpointer.afterCommit();
  expect(checkpointer.dueOnAppender()).toBe(false);
  await checkpointer.close();
  expect(reasons).toHaveLength(1);
});
