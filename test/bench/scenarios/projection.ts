/**
 * Projection scenario. Throughput: events/s from a log prefilled with a generated chain into
 * ClickHouse (chDB) through the real projector (a fresh consumer group), beside a raw insert of
 * the same rows (`projectEvents` output, same batch size) into the same engine with emptied
 * tables; the ratio is the figure. With a Kafka broker, the same through the Kafka adapter.
 * Freshness: from a POST's 202 to the batch visible in a trace, while a background client posts
 * 1000-event requests continuously, against the embedded platform in its own process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../../services/common/config.js';
import { createEventCodec, type EventCodec } from '../../../services/common/events/codec.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../../services/common/log/sqlite-event-log.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import {
  emptyRows,
  projectEvents,
  type ProjectionTable,
} from '../../../services/common/projection/projection.js';
import { startProjector } from '../../../services/projector/projector.js';
import { EVENTS_TOPIC } from '../../../services/common/topics.js';
import { spawnPlatform } from '../../support/platform-process.js';
import {
  cpuProfileEnv,
  describeProfile,
  profilesOf,
  startCpuProfile,
  summarizeProfileFile,
} from '../support/profile-summary.js';
import { pollUntil } from '../../support/poll.js';
import { createSupplyChain, type SupplyChain } from '../generator/supply-chain.js';
import { createProgress, writeEventsToLog } from '../generator/write-chain.js';
import { loadAverage } from '../generator/stats.js';
import { measureFreshness } from '../generator/freshness.js';
import type { Figure, Scenario, ScenarioContext, ScenarioResult } from './types.js';

/** The platform's default PROJECTOR_BATCH_SIZE; the raw inserts use the same batches. */
const BATCH_SIZE = loadConfig({}).projectorBatchSize;
const THROUGHPUT_BATCHES = { small: 10_000, large: 100_000 } as const;
const RATIO_TARGET = 0.5;

const logger = pino({ level: 'error' });
const round1 = (value: number) => Math.round(value * 10) / 10;
const RATE_NOTE = { rate: 'from the first commit to the last (group start excluded)' };

/** Every table the projector writes, and the one its materialized view fills. */
const TABLES = [...(Object.keys(emptyRows()) as ProjectionTable[]), 'derivations_by_output'];

async function emptyTables(store: Store) {
  for (const table of TABLES) await store.command(`TRUNCATE TABLE ${table}`);
}

interface ProjectorTiming {
  /** From start (consumer group join included) to every event committed. */
  readonly wallSeconds: number;
  /** Events per second from the first commit to the last: the steady rate, without the start. */
  readonly steadyRate: number;
}

/** Times the real projector, in a fresh group, projecting every event of the log. */
async function timeProjector(
  log: EventLog,
  store: Store,
  codec: EventCodec,
  total: number,
): Promise<ProjectorTiming> {
  const groupId = `bench-projector-${Date.now()}`;
  const started = performance.now();
  const projector = await startProjector({
    log,
    store,
    codec,
    logger,
    batchSize: BATCH_SIZE,
    groupId,
  });
  let first: { at: number; done: number } | undefined;
  const finished = await pollUntil(
    async () => {
      const committed = await log.committedOffsets(EVENTS_TOPIC, groupId);
      const done = [...committed.values()].reduce((sum, offset) => sum + offset, 0);
      const now = performance.now();
      if (done > 0) first ??= { at: now, done };
      return done >= total ? now : undefined;
    },
    { timeoutMs: 3 * 3600_000, intervalMs: 20, what: `projector group ${groupId} to catch up` },
  );
  await projector.stop();
  const steadyEvents = total - (first?.done ?? 0);
  const steadySeconds = (finished - (first?.at ?? started)) / 1000;
  return {
    wallSeconds: (finished - started) / 1000,
    steadyRate:
      steadyEvents > 0 && steadySeconds > 0
        ? Math.round(steadyEvents / steadySeconds)
        : Math.round(total / ((finished - started) / 1000)),
  };
}

/** Seconds spent inserting the projector's rows for the chain, batch by batch, table by table. */
/**
 * Seconds spent inserting the projector's rows for the chain, batch by batch, table by table,
 * and the mean milliseconds per batch of each table.
 */
async function timeRawInserts(store: Store, chain: SupplyChain) {
  const tableMs = new Map<string, number>();
  let batches = 0;
  let batch: Parameters<typeof projectEvents>[0][number][] = [];
  const insert = async () => {
    const rows = projectEvents(batch);
    batch = [];
    batches += 1;
    for (const [table, tableRows] of Object.entries(rows)) {
      if (tableRows.length === 0) continue;
      const started = performance.now();
      await store.insert(table, tableRows);
      tableMs.set(table, (tableMs.get(table) ?? 0) + performance.now() - started);
    }
  };
  for (const event of chain.events()) {
    batch.push(event);
    if (batch.length >= BATCH_SIZE) await insert();
  }
  if (batch.length > 0) await insert();
  const totalMs = [...tableMs.values()].reduce((sum, ms) => sum + ms, 0);
  const perTable = [...tableMs]
    .sort((a, b) => b[1] - a[1])
    .map(([table, ms]) => `${table} ${round1(ms / batches)} ms`)
    .join(', ');
  return {
    seconds: totalMs / 1000,
    note:
      `Raw inserts, mean per ${BATCH_SIZE}-event batch: ${round1(totalMs / batches)} ms in all; ` +
      `${perTable}.`,
  };
}

async function throughputFigures(context: ScenarioContext, workDir: string) {
  const chain = createSupplyChain({
    batches: THROUGHPUT_BATCHES[context.scale],
    seed: context.seed,
  });
  const codec = createEventCodec();
  const store = createChdbStore({ path: join(workDir, 'clickhouse') });
  const log = createSqliteEventLog({ path: join(workDir, 'log', 'events.sqlite'), logger });
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    await migrate(store, logger);
    const written = await writeEventsToLog(log, codec, chain.events(), {
      progress: createProgress(
        'projection: prefilling the log',
        chain.estimatedEvents,
        context.progress,
      ),
    });
    const events = written.events;
    const sample = `${events.toLocaleString('en')} events (${chain.batchCount.toLocaleString('en')} batches), batches of ${BATCH_SIZE}`;

    // Raw inserts before and after the projector, averaged: on a shared machine the load drifts,
    // and the ratio should compare like with like.
    context.progress('projection: raw inserts of the same rows (before)…');
    const rawBefore = await timeRawInserts(store, chain);
    await emptyTables(store);
    context.progress('projection: real projector from the embedded log…');
    const projector = await timeProjector(log, store, codec, events);
    await emptyTables(store);
    context.progress('projection: raw inserts of the same rows (after)…');
    const rawAfter = await timeRawInserts(store, chain);
    const rawSeconds = (rawBefore.seconds + rawAfter.seconds) / 2;
    notes.push(rawAfter.note);
    const projectorRate = projector.steadyRate;
    const rawRate = Math.round(events / rawSeconds);
    const ratio = Math.round((projectorRate / rawRate) * 100) / 100;
    context.progress(`projection: projector ${projectorRate} events/s, raw ${rawRate} events/s`);
    figures.push(
      {
        name: 'projection, embedded log → chDB, real projector',
        value: projectorRate,
        unit: 'events/s',
        detail: { events, wallSeconds: round1(projector.wallSeconds), sample, ...RATE_NOTE },
      },
      {
        name: 'projection, raw inserts of the same rows into chDB',
        value: rawRate,
        unit: 'events/s',
        detail: {
          events,
          insertSecondsBefore: round1(rawBefore.seconds),
          insertSecondsAfter: round1(rawAfter.seconds),
          sample,
        },
      },
      {
        name: 'projection ratio, real projector ÷ raw inserts (embedded)',
        value: ratio,
        unit: 'ratio',
        target: `≥ ${RATIO_TARGET}`,
        met: ratio >= RATIO_TARGET,
      },
    );

    if (context.kafkaBrokers && context.kafkaBrokers.length > 0) {
      await emptyTables(store);
      const kafka = createEventLog(
        {
          kind: 'kafka',
          brokers: context.kafkaBrokers,
          clientId: 'suyuan-bench',
          partitions: 6,
          replicationFactor: 1,
          namespace: `bench-projection-${Date.now()}`,
        },
        logger,
      );
      try {
        await writeEventsToLog(kafka, codec, chain.events(), {
          chunkSize: 2000,
          progress: createProgress(
            'projection: prefilling Kafka',
            chain.estimatedEvents,
            context.progress,
          ),
        });
        context.progress('projection: real projector from Kafka…');
        const kafkaTiming = await timeProjector(kafka, store, codec, events);
        const kafkaRate = kafkaTiming.steadyRate;
        const kafkaRatio = Math.round((kafkaRate / rawRate) * 100) / 100;
        figures.push(
          {
            name: 'projection, Kafka (6 partitions) → chDB, real projector',
            value: kafkaRate,
            unit: 'events/s',
            detail: { events, wallSeconds: round1(kafkaTiming.wallSeconds), sample, ...RATE_NOTE },
          },
          {
            name: 'projection ratio, real projector ÷ raw inserts (Kafka)',
            value: kafkaRatio,
            unit: 'ratio',
            target: `≥ ${RATIO_TARGET}`,
            met: kafkaRatio >= RATIO_TARGET,
          },
        );
      } finally {
        await kafka.close();
      }
    } else {
      notes.push('Kafka projection skipped: no broker given (kafkaBrokers).');
    }
  } finally {
    await log.close();
    await store.close();
  }
  return { figures, notes };
}

/** Freshness against a platform process; profiles it during the probes, for the notes. */
async function freshnessFigures(context: ScenarioContext, workDir: string) {
  const profileDir = join(workDir, 'profile');
  const platform = await spawnPlatform(join(workDir, 'data'), {
    SUYUAN_RATE_LIMIT_MAX: '1000000000',
    ...cpuProfileEnv(profileDir),
  });
  let figures: Figure[];
  try {
    figures = await measureFreshness(platform.url, context, () => startCpuProfile(platform.child));
  } finally {
    platform.child.kill('SIGTERM');
    await platform.exited;
  }
  const missed = figures.some((figure) => figure.met === false);
  const [profile] = await profilesOf(profileDir, platform.child.pid ?? -1);
  const notes =
    missed && profile
      ? [
          describeProfile(
            'CPU profile of the platform process during the freshness probes',
            await summarizeProfileFile(profile),
          ),
          FRESHNESS_BOUND,
        ]
      : [];
  return { figures, notes };
}

/** How to read the freshness profile; printed when the target is missed. */
const FRESHNESS_BOUND =
  'What bounds freshness: the platform runs ingest and the projector on one thread, and chDB ' +
  'does the inserts. A probe waits for the projector batch in hand (up to 1 000 load events, ' +
  'the raw-insert time per batch above), then for its own batch, then for a trace poll that ' +
  'queues behind those inserts in chDB; under a load near the projection rate the lag grows.';

export const projectionScenario: Scenario = async (context): Promise<ScenarioResult> => {
  const loadAtStart = loadAverage();
  const throughputDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-projection-'));
  const freshnessDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-freshness-'));
  try {
    const throughput = await throughputFigures(context, throughputDir);
    const freshness = await freshnessFigures(context, freshnessDir);
    return {
      scenario: 'projection',
      figures: [...throughput.figures, ...freshness.figures],
      notes: [
        ...throughput.notes,
        ...freshness.notes,
        `Machine load average (1 min) ${loadAtStart} at the start, ${loadAverage()} at the end, on ${cpus().length} cores.`,
      ],
    };
  } finally {
    await rm(throughputDir, { recursive: true, force: true });
    await rm(freshnessDir, { recursive: true, force: true });
  }
};
