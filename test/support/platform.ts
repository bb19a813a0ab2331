/**
 * Starts the real embedded platform (real HTTP, real embedded log, real chDB) in this test
 * process, in a fresh data directory, and gives a small client for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../services/common/config.js';
import { createLogger } from '../../services/common/logger.js';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../../services/embedded/platform.js';
import { PROJECTOR_GROUP } from '../../services/common/topics.js';
import { answerCheckFor, type AnswerCheck } from './answer-schemas.js';
import { startDistributedPlatform } from './distributed-platform.js';
import { requireKafka } from './kafka-broker.js';
import { waitForNoLag } from './consumer-lag.js';
import { pollUntil } from './poll.js';

export const TEST_ADMIN_KEY = 'sy_test-admin-key-0123456789abcdef';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export interface TestPlatform {
  readonly url: string;
  readonly dataDir: string;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; rawBody?: string },
  ): Promise<ApiResponse<T>>;
  /** Creates a party and returns its API key. */
  createParty(partyId: string, roles?: string[], name?: string): Promise<string>;
  postEvents(key: string, events: readonly unknown[]): Promise<ApiResponse>;
  /** Waits until the projector has made the batch visible. */
  waitForBatch(key: string, batchId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The platform the end-to-end suite runs against: embedded in this process by default; with
 * SUYUAN_E2E_MODE=distributed (the `distributed` vitest project), separate service processes
 * over real Kafka (test/support/distributed-platform.ts).
 */
export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  if (process.env.SUYUAN_E2E_MODE === 'distributed') {
    const { brokers } = await requireKafka();
    return startDistributedPlatform(brokers, env);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-e2e-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SUYUAN_DATA_DIR: dataDir,
    SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const platform: EmbeddedPlatform = await startEmbeddedPlatform(
    config,
    createLogger({ level: config.logLevel, pretty: false }),
  );
  return clientFor(
    platform.url,
    dataDir,
    async () => {
      await platform.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    // A batch visible in a trace is in the serving index, written just before the store and read
    // without waiting on it: the events posted after it, and the store, may still be on their way.
    () => waitForNoLag([{ url: platform.url, groups: [PROJECTOR_GROUP] }]),
  );
}

/**
 * `settle`, when given, is awaited after a batch is visible: in distributed mode events of one
 * request land on several partitions, so one visible batch does not mean the others are. Every
 * JSON answer is checked against the platform's own OpenAPI document (answer-schemas.ts).
 */
export function clientFor(
  url: string,
  dataDir: string,
  stop: () => Promise<void>,
  settle?: () => Promise<void>,
): TestPlatform {
  let answerCheck: Promise<AnswerCheck> | undefined;
  const request: TestPlatform['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    const answer = text ? JSON.parse(text) : undefined;
    if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
      // A document that could not be had is fetched again by the next answer.
      answerCheck ??= answerCheckFor(url).catch((error: unknown) => {
        answerCheck = undefined;
        throw error;
      });
      (await answerCheck)(method, path, response.status, answer);
    }
    return { status: response.status, body: answer };
  };
  return {
    url,
    dataDir,
    request,
    async createParty(partyId, roles = ['submitter'], name = partyId) {
      const response = await request<{ apiKey: string }>('POST', '/v1/parties', {
        key: TEST_ADMIN_KEY,
        body: { partyId, name, roles },
      });
      if (response.status !== 201)
        throw new Error(`creating ${partyId}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.apiKey;
    },
    postEvents: (key, events) => request('POST', '/v1/events', { key, body: { events } }),
    async waitForBatch(key, batchId) {
      await pollUntil(
        async () =>
          (await request('GET', `/v1/batches/${encodeURIComponent(batchId)}`, { key })).status ===
          200
            ? true
            : undefined,
        { what: `batch ${batchId} to be projected`, timeoutMs: 30_000, intervalMs: 25 },
      );
      await settle?.();
    },
    stop,
  };
}

/** A fresh event id. */
export const newEventId = (): string => randomUUID();
