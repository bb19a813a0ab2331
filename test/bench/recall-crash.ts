/**
 * A recall fan-out in distributed mode (every service its own process, real Kafka) with the recall
 * process SIGKILLed as its first webhook arrives and started again at once on the same port.
 * Times, from the defect's 202: every notice issued, every notice delivered; and from the restart:
 * listening, the first webhook, the recall consumer back at the end of the log. Also counts what
 * the gateway answered to a client polling the recall (every 100 ms) from the kill until it answers.
 * The restarted process runs its build in dist/, as production does.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 npm run bench:crash [-- --parties 151 --runs 3]
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createEventLog } from '../../services/common/log/create-event-log.js';
import { EVENTS_TOPIC } from '../../services/common/topics.js';
import {
  startDistributedPlatform,
  type DistributedPlatform,
} from '../support/distributed-platform.js';
import { defectReported, produced, shipped } from '../support/event-builders.js';
import { resolveKafka } from '../support/kafka-broker.js';
import { TEST_ADMIN_KEY } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { compileServices } from '../support/service-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { runLoad } from './support/load.js';

const { values } = parseArgs({
  options: { parties: { type: 'string', default: '151' }, runs: { type: 'string', default: '1' } },
});
const PARTIES = Number(values.parties);
const RUNS = Number(values.runs);
const RECALL_GROUP = 'suyuan-recall';

interface RunFigures {
  issuedMs: number;
  deliveredMs: number;
  killedAtMs: number;
  listeningAfterRestartMs: number;
  firstWebhookAfterRestartMs: number;
  consumingAfterRestartMs: number;
  gatewayAnswers: Record<string, number>;
  notices: number;
  partiesWithTwoNoticeIds: number;
}

async function createParty(platform: DistributedPlatform, receiver: WebhookReceiver, id: string) {
  const response = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: {
      partyId: id,
      name: id,
      roles: id === 'samr' ? ['regulator'] : ['submitter'],
      webhook: { url: `${receiver.url}/${id}` },
    },
  });
  if (response.status !== 201) throw new Error(`creating ${id}: ${response.status}`);
  return response.body.apiKey;
}

/** True once the recall group has committed up to the end of every partition. */
async function recallCaughtUp(log: ReturnType<typeof createEventLog>): Promise<boolean> {
  const [ends, committed] = await Promise.all([
    log.endOffsets(EVENTS_TOPIC),
    log.committedOffsets(EVENTS_TOPIC, RECALL_GROUP),
  ]);
  return [...ends].every(([partition, end]) => (committed.get(partition) ?? 0) >= end);
}

async function oneRun(brokers: string[], run: number): Promise<RunFigures> {
  const receiver = await startWebhookReceiver();
  const platform = await startDistributedPlatform(brokers, {
    SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true',
    NOTIFIER_POLL_INTERVAL_MS: '50',
    SUYUAN_RATE_LIMIT_MAX: '1000000000',
  });
  const log = createEventLog(
    {
      kind: 'kafka',
      brokers,
      clientId: 'bench-recall-crash',
      partitions: 3,
      replicationFactor: 1,
      namespace: platform.serviceEnv.KAFKA_NAMESPACE ?? '',
    },
    pino({ level: 'silent' }),
  );
  try {
    const brand = await createParty(platform, receiver, 'brand');
    const samr = await createParty(platform, receiver, 'samr');
    const shops = Array.from({ length: PARTIES - 1 }, (_, i) => `shop-${i}`);
    await runLoad(8, shops.length, async (i) => {
      await createParty(platform, receiver, shops[i] ?? '');
      return 1;
    });
    const lot = `LOT-${run}`;
    const events = [produced(lot), ...shops.map((shop, i) => shipped(`S-${i}`, shop, [lot], 1))];
    if ((await platform.postEvents(brand, events)).status !== 202) throw new Error('shipments');
    await platform.waitForBatch(samr, lot);
    await platform.waitUntilQuiet();
    receiver.received.length = 0;

    const gatewayAnswers: Record<string, number> = {};
    const delivered = () =>
      new Set(receiver.received.filter((r) => r.status === 200).map((r) => r.path)).size;
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    const defect = defectReported(`D-${run}`, [lot], 'CRITICAL');
    if ((await platform.postEvents(brand, [defect])).status !== 202) throw new Error('defect');
    const issued = pollUntil(
      async () => {
        const response = await platform.request<{ progress?: { notices: number } }>(
          'GET',
          `/v1/recalls/RC-D-${run}`,
          { key: samr },
        );
        return response.body?.progress?.notices === PARTIES ? since() : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 50, what: 'every notice issued' },
    );
    await pollUntil(() => delivered() >= 1, { timeoutMs: 60_000, what: 'the first webhook' });
    await platform.services.recall.kill();
    const killedAtMs = since();
    // What a client asking about the recall gets while the service is away, until it answers.
    const outage = pollUntil(
      async () => {
        const { status } = await platform.request('GET', `/v1/recalls/RC-D-${run}`, { key: samr });
        gatewayAnswers[status] = (gatewayAnswers[status] ?? 0) + 1;
        return status === 200;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'the recall API through the gateway' },
    );
    // Something for the restarted recall consumer to read.
    await platform.postEvents(brand, [produced(`MARK-${run}`)]);
    const restarted = performance.now();
    const sinceRestart = () => Math.round(performance.now() - restarted);
    const before = receiver.received.length;
    await platform.restart('recall', { compiled: true });
    const listeningAfterRestartMs = sinceRestart();
    const firstWebhook = pollUntil(
      () => (receiver.received.length > before ? sinceRestart() : undefined),
      { timeoutMs: 120_000, intervalMs: 10, what: 'a webhook after the restart' },
    );
    const consuming = pollUntil(
      async () => ((await recallCaughtUp(log)) ? sinceRestart() : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 50,
        what: 'the recall consumer to catch up',
      },
    );
    await outage;
    const deliveredMs = await pollUntil(() => (delivered() === PARTIES ? since() : undefined), {
      timeoutMs: 180_000,
      intervalMs: 10,
      what: 'every notice delivered',
    });
    const ids = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const set = ids.get(r.path) ?? new Set();
      set.add(String(r.headers['webhook-id']));
      ids.set(r.path, set);
    }
    return {
      issuedMs: await issued,
      deliveredMs,
      killedAtMs,
      listeningAfterRestartMs,
      firstWebhookAfterRestartMs: await firstWebhook,
      consumingAfterRestartMs: await consuming,
      gatewayAnswers,
      notices: ids.size,
      partiesWithTwoNoticeIds: [...ids.values()].filter((set) => set.size > 1).length,
    };
  } finally {
    await log.close();
    await platform.stop();
    await receiver.close();
  }
}

const kafka = await resolveKafka();
if (!kafka.brokers) throw new Error(kafka.reason);
try {
  await compileServices();
  console.log(
    `recall-crash: ${PARTIES} parties, ${RUNS} run(s), Kafka ${kafka.brokers.join(',')} (${kafka.source})`,
  );
  for (let run = 1; run <= RUNS; run += 1) {
    console.log(JSON.stringify({ run, ...(await oneRun(kafka.brokers, run)) }));
  }
} finally {
  await kafka.stop();
}
