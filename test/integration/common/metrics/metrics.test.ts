/**
 * `GET /metrics` of the real embedded platform: what a Prometheus scraper reads after parties
 * post events — accepted and refused submissions, append and projection timings, consumer lag,
 * dead letters — and a scrape that survives a log that cannot answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerHealth } from '../../../../services/common/log/consumer-health.js';
import type { EventLog } from '../../../../services/common/log/event-log.js';
import { namespacedEventLog } from '../../../../services/common/log/namespaced-event-log.js';
import { createSqliteEventLog } from '../../../../services/common/log/sqlite-event-log.js';
import { createMetrics } from '../../../../services/common/metrics/metrics.js';
import {
  EVENTS_DEAD_LETTER_TOPIC,
  EVENTS_TOPIC,
  PROJECTOR_GROUP,
  RECALL_GROUP,
} from '../../../../services/common/topics.js';
import { inspected, produced } from '../../../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../../../support/platform.js';
import { pollUntil } from '../../../support/poll.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the sample lines of the Prometheus text format 0.0.4 (comments are skipped). */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
      if (!match?.[1] || match[3] === undefined)
        throw new Error(`metrics line: cannot parse ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, (_, c: string) =>
          c === 'n' ? '\n' : c,
        );
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The samples of one series name whose labels include `labels`. */
const select = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
const sum = (samples: readonly Sample[]) => samples.reduce((total, s) => total + s.value, 0);

let platform: TestPlatform;

async function scrape(): Promise<{
  status: number;
  contentType: string | null;
  samples: Sample[];
}> {
  const response = await fetch(`${platform.url}/metrics`);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    samples: parseExposition(await response.text()),
  };
}

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform?.stop());

describe('GET /metrics on the embedded platform', () => {
  it('answers without an API key in the Prometheus text format, with process metrics', async () => {
    const { status, contentType, samples } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(select(samples, 'process_cpu_user_seconds_total', { service: 'embedded' })).toHaveLength(
      1,
    );
  });

  it('is documented with the probes, needing no API key', async () => {
    const doc = (await (await fetch(`${platform.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { tags: string[]; security: unknown[]; responses: object }>
      >;
    };
    expect(doc.paths['/metrics']?.get).toMatchObject({
      tags: ['probes'],
      security: [],
      responses: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } } },
    });
  });

  it('counts accepted events by type, leaving out duplicates, and times the appends', async () => {
    const plant = await platform.createParty('plant-metrics');
    const first = produced('MB-1');
    const accepted = [first, produced('MB-2'), inspected('MB-1', 'PASS'), produced('MB-3')];
    expect((await platform.postEvents(plant, accepted.slice(0, 3))).status).toBe(202);
    const second = await platform.postEvents(plant, [accepted[3], first]);
    expect(second.body).toMatchObject({
      results: [{ status: 'accepted' }, { status: 'duplicate' }],
    });
    await platform.waitForBatch(plant, 'MB-3');

    const { samples } = await scrape();
    const byType = select(samples, 'suyuan_events_accepted_total');
    expect(sum(byType)).toBe(accepted.length);
    expect(select(byType, 'suyuan_events_accepted_total', { event_type: 'BatchProduced' })).toEqual(
      [expect.objectContaining({ value: 3 })],
    );
    expect(
      select(byType, 'suyuan_events_accepted_total', { event_type: 'InspectionRecorded' }),
    ).toEqual([expect.objectContaining({ value: 1 })]);
    expect(sum(select(samples, 'suyuan_log_append_seconds_count'))).toBe(2);
    expect(sum(select(samples, 'suyuan_log_append_seconds_bucket', { le: '+Inf' }))).toBe(2);
  });

  it('reports projection batches once the projector has written them', async () => {
    const { samples } = await scrape();
    expect(sum(select(samples, 'suyuan_projection_batch_size_count'))).toBeGreaterThanOrEqual(1);
    // Every accepted event went through a projected batch.
    expect(sum(select(samples, 'suyuan_projection_batch_size_sum'))).toBeGreaterThanOrEqual(4);
    expect(sum(select(samples, 'suyuan_projection_batch_seconds_count'))).toBeGreaterThanOrEqual(1);
  });

  it('reports consumer lag 0 for the projector and the recall service once caught up', async () => {
    for (const group of [PROJECTOR_GROUP, RECALL_GROUP]) {
      const lag = await pollUntil(
        async () => {
          const [series] = select((await scrape()).samples, 'suyuan_consumer_lag', {
            topic: EVENTS_TOPIC,
            group,
            partition: '0',
          });
          return series?.value === 0 ? series : undefined;
        },
        { what: `consumer lag of ${group} to reach 0`, timeoutMs: 30_000, intervalMs: 50 },
      );
      expect(lag.labels).toMatchObject({ service: 'embedded' });
    }
  });

  it('counts refused submissions by the error code they were answered with', async () => {
    const plant = await platform.createParty('plant-refused');
    const invalid = await platform.postEvents(plant, [produced('MB-X', [], { quantity: 'x' })]);
    expect(invalid.status).toBe(400);
    const anonymous = await fetch(`${platform.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [produced('MB-Y')] }),
    });
    expect(anonymous.status).toBe(401);

    const { samples } = await scrape();
    const rejected = (reason: string) =>
      sum(select(samples, 'suyuan_events_rejected_total', { reason }));
    expect(rejected('invalid_event')).toBe(1);
    expect(rejected('unauthorized')).toBe(1);
  });

  it('counts a message the projector moves to the dead-letter topic', async () => {
    const deadLetters = async () =>
      select((await scrape()).samples, 'suyuan_dead_letter_messages_total', {
        topic: EVENTS_DEAD_LETTER_TOPIC,
      });
    expect(await deadLetters()).toEqual([expect.objectContaining({ value: 0 })]);

    // Another process writing to the same embedded log, as a buggy producer would.
    const log = createSqliteEventLog({ path: join(platform.dataDir, 'log', 'events.sqlite') });
    try {
      await log.append(EVENTS_TOPIC, [{ key: 'MB-1', value: Buffer.from('not avro') }]);
    } finally {
      await log.close();
    }
    await pollUntil(async () => (await deadLetters())[0]?.value === 1, {
      what: 'the dead-letter count to reach 1',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
  });
});

describe('consumer lag read at scrape time', () => {
  let dir: string;
  let log: EventLog;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-metrics-'));
    log = createSqliteEventLog({ path: join(dir, 'events.sqlite') });
  });
  afterAll(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const lagOf = (text: string, group: string) =>
    select(parseExposition(text), 'suyuan_consumer_lag', { group });

  it('is what a group has left to read, and drops out when the log cannot answer', async () => {
    const metrics = createMetrics({ service: 'lag-test' });
    await log.ensureTopic('lag-topic');
    await log.append('lag-topic', [
      { key: 'k', value: Buffer.from('1') },
      { key: 'k', value: Buffer.from('2') },
      { key: 'k', value: Buffer.from('3') },
    ]);
    metrics.watchConsumerLag(log, 'lag-topic', 'idle-group');
    metrics.eventsAccepted.inc({ event_type: 'BatchProduced' });
    expect(lagOf(await metrics.registry.metrics(), 'idle-group')).toEqual([
      {
        name: 'suyuan_consumer_lag',
        labels: { topic: 'lag-topic', group: 'idle-group', partition: '0', service: 'lag-test' },
        value: 3,
      },
    ]);

    await log.close();
    const text = await metrics.registry.metrics();
    expect(lagOf(text, 'idle-group')).toEqual([]);
    expect(sum(select(parseExposition(text), 'suyuan_events_accepted_total'))).toBe(1);
  });

  it('names the topic and group as the log does: KAFKA_NAMESPACE applied', async () => {
    const shared = createSqliteEventLog({ path: join(dir, 'namespaced.sqlite') });
    try {
      const staging = namespacedEventLog(shared, 'staging.');
      await staging.ensureTopic('lag-topic');
      await staging.append('lag-topic', [{ key: 'k', value: Buffer.from('1') }]);
      const metrics = createMetrics({ service: 'lag-test' });
      metrics.watchConsumerLag(staging, 'lag-topic', 'idle-group');
      metrics.watchConsumerHealth(
        createConsumerHealth({ log: staging, topic: 'lag-topic', group: 'idle-group' }),
      );
      const samples = parseExposition(await metrics.registry.metrics());
      const named = { topic: 'staging.lag-topic', group: 'staging.idle-group' };
      expect(select(samples, 'suyuan_consumer_lag', named)).toEqual([
        expect.objectContaining({ value: 1 }),
      ]);
      expect(select(samples, 'suyuan_consumer_stalled', named)).toEqual([
        expect.objectContaining({ value: 0 }),
      ]);
      expect(samples.filter((sample) => sample.labels.group === 'idle-group')).toEqual([]);
    } finally {
      await shared.close();
    }
  });
});
