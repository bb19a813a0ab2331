/**
 * Stopping a process, with real child processes and real signals: a stop has a deadline, a second
 * signal ends the process at once, and logging never keeps it from exiting — not even when the
 * parent that piped its standard output has gone away.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnPlatform } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';

const started: ServiceProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const process of started) await process.kill();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The exit code, once the process has exited within `timeoutMs`. */
async function exitCode(process: ServiceProcess, timeoutMs: number): Promise<number> {
  let code: number | undefined;
  void process.exited.then((exited) => (code = exited));
  return pollUntil(() => code, { timeoutMs, intervalMs: 20, what: `${process.name} to exit` });
}

const stubborn = async (timeoutMs: string) => {
  const service = await spawnService(
    'test/support/stubborn-service.ts',
    { SUYUAN_SHUTDOWN_TIMEOUT_MS: timeoutMs },
    { name: 'the stubborn service', timeoutMs: 60_000 },
  );
  started.push(service);
  return service;
};

describe('stopping a process', () => {
  it('stops the platform when the parent that piped its stdout has gone away', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-shutdown-'));
    dirs.push(dataDir);
    // Debug logging: every request and step writes lines to the pipe that nobody reads.
    const platform = await spawnPlatform(dataDir, { LOG_LEVEL: 'debug' });
    started.push(platform);
    for (let i = 0; i < 20; i += 1) await fetch(`${platform.url}/healthz`);
    platform.child.stdout?.destroy();
    platform.child.kill('SIGTERM');
    expect(await exitCode(platform, 20_000)).toBe(0);
  });

  it('exits when the lines of its last moment meet a standard output nobody reads', async () => {
    const service = await spawnService(
      'test/support/last-words-service.ts',
      {},
      {
        name: 'the last-words service',
        timeoutMs: 60_000,
      },
    );
    started.push(service);
    service.child.stdout?.destroy();
    service.child.kill('SIGTERM');
    expect(await exitCode(service, 10_000)).toBe(0);
  });

  it('exits 1 naming what did not stop when a stop overruns SUYUAN_SHUTDOWN_TIMEOUT_MS', async () => {
    const service = await stubborn('300');
    service.child.kill('SIGTERM');
    expect(await exitCode(service, 10_000)).toBe(1);
    expect(service.output()).toContain(
      'shutdown did not finish within 300 ms (SUYUAN_SHUTDOWN_TIMEOUT_MS): the stubborn worker did not stop',
    );
  });

  it('exits at once on a second signal', async () => {
    const service = await stubborn('600000');
    service.child.kill('SIGINT');
    await pollUntil(() => service.output().includes('"msg":"shutting down"'), {
      timeoutMs: 30_000,
      what: 'the first signal to be taken',
    });
    service.child.kill('SIGTERM');
    expect(await exitCode(service, 5_000)).toBe(143);
    expect(service.output()).toContain('second signal, exiting now');
  });
});
