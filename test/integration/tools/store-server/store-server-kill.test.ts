/**
 * A store server killed with SIGKILL leaves nothing outside its data directory, however often it
 * happens, and a restart on the same directory takes inserts again with the earlier rows kept.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../../../support/service-process.js';
import { spawnStoreServer } from '../../../support/store-server.js';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function post(server: ServiceProcess, query: string, body = '') {
  const url = new URL(server.url);
  url.searchParams.set('query', query);
  const response = await fetch(url, { method: 'POST', body });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return text;
}

/** What the process left in its temporary directory, tsx's compile cache aside. */
async function leftIn(dir: string) {
  return (await readdir(dir)).filter((name) => !name.startsWith('tsx-'));
}

describe('a killed store server', () => {
  it('leaves nothing in the temporary directory, and a restart inserts again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-store-kill-'));
    const temporary = await mkdtemp(join(tmpdir(), 'suyuan-store-tmpdir-'));
    made.push(dataDir, temporary);
    const start = () => spawnStoreServer({ dataDir, env: { TMPDIR: temporary } });

    const first = await start();
    await post(first, 'CREATE TABLE kept (id String) ENGINE = MergeTree ORDER BY id');
    await post(first, 'INSERT INTO kept FORMAT JSONEachRow', '{"id":"before"}\n');
    await first.kill();
    expect(await leftIn(temporary)).toEqual([]);

    const second = await start();
    try {
      await post(second, 'INSERT INTO kept FORMAT JSONEachRow', '{"id":"after"}\n');
      expect(await post(second, 'SELECT id FROM kept ORDER BY id')).toBe('after\nbefore\n');
    } finally {
      await second.kill();
    }
    expect(await leftIn(temporary)).toEqual([]);
  });
});
