// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
/**
 * Issue 13, item 1, over HTTP, in both modes (embedded, and distributed on Kafka): one event the
 * store refuses no longer stops projection and recalls for everyone. It is slipped into the log
 * directly, past ingest (which now refuses it), as an older version or another writer could; the
 * events after it are projected, a failed supervisory sampling after it still opens its recall,
 * and an admin can see why the record was set aside, and quarantine a record, on the audit trail.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import { logKeyOf } from '../../services/common/events/keys.js';
import { createEventLog } from '../../services/common/log/create-event-log.js';
import type { AppendReceipt, EventLog } from '../../services/common/log/event-log.js';
import { EVENTS_TOPIC } from '../../services/common/topics.js';
import { parseSubmission } from '../../services/ingest/parse-submission.js';
import type { DistributedPlatform } from '../support/distributed-platform.js';
import { inspected, produced } from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

interface RecordView {
  topic: string;
  partition: number;
  offset: number;
  event: { eventId: string; batchId?: string } | null;
  quarantine: { reason: string; actor: string } | null;
  deadLetters: Array<{ consumer: string; cause: string; reason: string }>;
  consumers: Array<{ group: string; passed: boolean }>;
}

const codec = createEventCodec();
let platform: TestPlatform;
let plant: string;
let samr: string;

/** The platform's own log, reached as another writer would: the same file, or the same topics. */
function platformLog(): EventLog {
  const distributed = platform as Partial<DistributedPlatform>;
  const env = distributed.serviceEnv;
  if (!env) {
    return createEventLog(
      { kind: 'embedded', path: join(platform.dataDir, 'log', 'events.sqlite') },
      pino({ level: 'silent' }),
    );
  }
  return createEventLog(
    {
      kind: 'kafka',
      brokers: (env.KAFKA_BROKERS ?? '').split(','),
      clientId: 'isolation-test',
      partitions: 3,
      replicationFactor: 1,
      namespace: env.KAFKA_NAMESPACE ?? '',
    },
    pino({ level: 'silent' }),
  );
}

/** Writes an event to the log as it stands, past ingest's validation. */
async function slipIntoLog(event: SuyuanEvent): Promise<AppendReceipt> {
  const log = platformLog();
  try {
    const [receipt] = await log.append(EVENTS_TOPIC, [
      { key: logKeyOf(event), value: codec.encode(event) },
    ]);
    if (!receipt) throw new Error('the log gave no receipt');
    return receipt;
  } finally {
    await log.close();
  }
}

const recordPath = ({ partition, offset }: AppendReceipt, topic = EVENTS_TOPIC) =>
  `/v1/admin/log/${topic}/${partition}/${offset}`;

beforeAll(async () => {
  platform = await startTestPlatform();
  plant = await platform.createParty('plant-iso');
  samr = await platform.createParty('samr-iso', ['regulator']);
});
afterAll(() => platform?.stop());

describe('an event the store refuses, slipped into the log past ingest', () => {
  let refused: AppendReceipt;
  let refusedEventId: string;

  it('is set aside with the store reason, and every later event is projected; a failed sampling after it opens its recall', async () => {
    // The event: `0000-01-01T00:00:00+01:00` is year -1 in UTC.
    const [event] = parseSubmission(produced('ISO-REFUSED'), 'plant-iso');
    const slipped = {
      ...event,
      eventTime: '-000001-12-31T23:00:00.000Z',
      recordedAt: new Date().toISOString(),
    } as SuyuanEvent;
    refusedEventId = slipped.eventId;
    refused = await slipIntoLog(slipped);

    const after = produced('ISO-AFTER');
    expect((await platform.postEvents(plant, [after])).status).toBe(202);
    await platform.waitForBatch(samr, 'ISO-AFTER');
    const sampling = {
      ...inspected('ISO-AFTER', 'FAIL', 'SUPERVISORY_SAMPLING'),
      inspectionId: 'INS-ISO',
    };
    expect((await platform.postEvents(samr, [sampling])).status).toBe(202);
    const recall = await pollUntil(
      async () => {
        const response = await platform.request('GET', '/v1/recalls/RC-INS-ISO', { key: samr });
        return response.status === 200 ? response.body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the recall the failed sampling orders' },
    );
    expect(recall).toMatchObject({ status: 'open', rootBatchIds: ['ISO-AFTER'] });
    expect((await platform.request('GET', '/v1/batches/ISO-REFUSED', { key: samr })).status).toBe(
      404,
    );
  });

  it('shows an admin the record, decoded, and why the projector set it aside', async () => {
    const view = await pollUntil(
      async () => {
        const response = await platform.request<RecordView>('GET', recordPath(refused), {
          key: TEST_ADMIN_KEY,
        });
        expect(response.status).toBe(200);
        return response.body.consumers.every((consumer) => consumer.passed)
          ? response.body
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'both consumers to pass the refused record' },
    );
    expect(view).toMatchObject({
      topic: EVENTS_TOPIC,
      partition: refused.partition,
      offset: refused.offset,
      event: { eventId: refusedEventId, batchId: 'ISO-REFUSED' },
      quarantine: null,
      deadLetters: [
        {
          consumer: 'suyuan-projector',
          cause: 'refused',
          reason: expect.stringMatching(/^store refused the data: Cannot read DateTime/),
        },
      ],
      consumers: [
        { group: 'suyuan-projector', passed: true },
        { group: 'suyuan-recall', passed: true },
      ],
    });
  });

  it('lets only an admin see or quarantine log records, and names what is wrong with a request', async () => {
    const forbidden = await platform.request('GET', recordPath(refused), { key: samr });
    expect(forbidden.status).toBe(403);
    const badOffset = await platform.request<{ message: string }>(
      'GET',
      `/v1/admin/log/${EVENTS_TOPIC}/0/-1`,
      { key: TEST_ADMIN_KEY },
    );
    expect(badOffset.status).toBe(400);
    expect(badOffset.body.message).toMatch(/^offset: /);
    const badTopic = await platform.request<{ message: string }>(
      'GET',
      '/v1/admin/log/some.topic/0/0',
      { key: TEST_ADMIN_KEY },
    );
    expect(badTopic.status).toBe(400);
    expect(badTopic.body.message).toMatch(/^topic: unknown topic/);
    const missing = await platform.request<{ message: string }>(
      'GET',
      `/v1/admin/log/${EVENTS_TOPIC}/${refused.partition}/999999999`,
      { key: TEST_ADMIN_KEY },
    );
    expect(missing.status).toBe(404);
    const noReason = await platform.request<{ message: string }>(
      'POST',
      `${recordPath(refused)}/quarantine`,
      { key: TEST_ADMIN_KEY, body: {} },
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toMatch(/^reason: /);
  });

  it('is quarantined by an admin, and the audit trail records who did it', async () => {
    const reason = 'written by the 0.9 importer; see ticket OPS-17';
    const response = await platform.request<RecordView>(
      'POST',
      `${recordPath(refused)}/quarantine`,
      {
        key: TEST_ADMIN_KEY,
        body: { reason },
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.quarantine).toMatchObject({ reason, actor: 'admin' });
    const target = `${EVENTS_TOPIC}/${refused.partition}/${refused.offset}`;
    const audit = await pollUntil(
      async () => {
        const entries = await platform.request<Array<Record<string, unknown>>>(
          'GET',
          '/v1/audit?action=admin.log.*',
          { key: TEST_ADMIN_KEY },
        );
        return entries.body.length >= 2 ? entries.body : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the audit entries of the log routes' },
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'admin',
          action: 'admin.log.quarantine',
          target,
          status: 200,
        }),
        expect.objectContaining({
          actor: 'admin',
          action: 'admin.log.inspect',
          target,
          status: 200,
        }),
        expect.objectContaining({ actor: 'samr-iso', action: 'admin.log.inspect', status: 403 }),
      ]),
    );
  });
});

describe('the log command (npm run log)', () => {
  /** Runs tools/log/main.ts against the platform; resolves with its exit code and output. */
  async function logCommand(args: string[], key = TEST_ADMIN_KEY) {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'tools/log/main.ts', ...args],
        { env: { ...process.env, SUYUAN_URL: platform.url, SUYUAN_ADMIN_KEY: key } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  // Four processes, each compiling the command as it starts: slow on a loaded machine.
  it(
    'inspects and quarantines a record as the admin, and says why it cannot',
    { timeout: 180_000 },
    async () => {
      const [event] = parseSubmission(produced('ISO-CLI'), 'plant-iso');
      const receipt = await slipIntoLog({
        ...event,
        recordedAt: new Date().toISOString(),
      } as SuyuanEvent);
      const position = [EVENTS_TOPIC, String(receipt.partition), String(receipt.offset)];

      const inspected = await logCommand(['inspect', ...position]);
      expect(inspected.code, inspected.stderr).toBe(0);
      expect(JSON.parse(inspected.stdout)).toMatchObject({
        offset: receipt.offset,
        event: { eventId: event?.eventId, batchId: 'ISO-CLI' },
      });

      const quarantined = await logCommand([
        'quarantine',
        ...position,
        '--reason',
        'a test of the command',
      ]);
      expect(quarantined.code, quarantined.stderr).toBe(0);
      expect(JSON.parse(quarantined.stdout)).toMatchObject({
        quarantine: { reason: 'a test of the command', actor: 'admin' },
      });

      expect(await logCommand(['quarantine', ...position])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('quarantine needs --reason'),
      });
      expect(await logCommand(['inspect', ...position], samr)).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/^suyuan log: 403 /),
      });
    },
  );
});

describe('readiness', () => {
  it('checks each consumer of the log, which gets on', async () => {
    type Readiness = { status: string; checks: Array<{ name: string; ok: boolean }> };
    const distributed = platform as Partial<DistributedPlatform>;
    const probes: Array<[string, string]> = distributed.services
      ? [
          [distributed.services.projector.url, 'consumer suyuan-projector'],
          [distributed.services.recall.url, 'consumer suyuan-recall'],
        ]
      : [
          [platform.url, 'consumer suyuan-projector'],
          [platform.url, 'consumer suyuan-recall'],
        ];
    for (const [url, check] of probes) {
      const response = await fetch(`${url}/readyz`);
      const body = (await response.json()) as Readiness;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.checks).toContainEqual({ name: check, ok: true });
    }
  });
});
