import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Runs an entry point to its exit; resolves with the exit code and what it wrote to stderr. */
function runToExit(entry: string, env: Record<string, string>) {
  const main = fileURLToPath(new URL(`../../${entry}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = Date.now();
  return new Promise<{ status: number | null; stderr: string; ms: number }>((resolve) =>
    child.once('exit', (status) => resolve({ status, stderr, ms: Date.now() - started })),
  );
}

describe('start-up', () => {
  it('refuses a bad setting, naming the variable, and exits non-zero', async () => {
    const result = await runToExit('services/embedded/main.ts', {
      PORT: 'eighty',
      SUYUAN_DATA_DIR: '/nonexistent/never-created',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^suyuan embedded: failed to start: invalid configuration: PORT="eighty"/m,
    );
  });

  it('refuses EVENT_LOG=kafka without KAFKA_BROKERS, naming the variable', async () => {
    // Empty, not unset: whoever runs the tests may export KAFKA_BROKERS to name their broker.
    const result = await runToExit('services/ingest/main.ts', {
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: '',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^suyuan ingest: failed to start: invalid configuration: KAFKA_BROKERS="": required with EVENT_LOG=kafka/m,
    );
  });

  it('gives up after STARTUP_TIMEOUT_MS when Kafka cannot be reached, saying what and where', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-startup-'));
    try {
      // Nothing listens on port 1; the embedded store opens, the log never answers.
      const result = await runToExit('services/projector/main.ts', {
        EVENT_LOG: 'kafka',
        KAFKA_BROKERS: '127.0.0.1:1',
        SUYUAN_DATA_DIR: dataDir,
        STARTUP_TIMEOUT_MS: '3000',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /^suyuan projector: failed to start: could not reach Kafka at 127\.0\.0\.1:1 within 3 s \(STARTUP_TIMEOUT_MS\)/m,
      );
      expect(result.ms).toBeLessThan(60_000);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('gives up when the ClickHouse server cannot be reached', async () => {
    const result = await runToExit('services/trace-api/main.ts', {
      STORE: 'clickhouse',
      CLICKHOUSE_URL: 'http://127.0.0.1:1',
      STARTUP_TIMEOUT_MS: '2000',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^suyuan trace-api: failed to start: could not reach ClickHouse at http:\/\/127\.0\.0\.1:1 within 2 s/m,
    );
  });
});
