/**
 * Prometheus metrics of one process. Each process (the embedded platform, or one service of the
 * distributed mode) builds its own `Metrics` with its own registry — never prom-client's global
 * one — so several can live side by side in a test process. Workers take it as an optional
 * dependency; `metrics-route.ts` serves it at `GET /metrics`.
 */
import { pino } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsumerHealth } from '../log/consumer-health.js';
import type { EventLog } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import { createConsumerGauges } from './consumer-gauges.js';
import { withTimeout } from './with-timeout.js';

export interface MetricsOptions {
  /** The deployable this process runs (`embedded`, `ingest`, `projector`…): a label on every series. */
  readonly service: string;
  /** Where failed consumer-lag reads are reported (at debug); silent when absent. */
  readonly logger?: Logger;
  /** How long one scrape waits for the log's offsets before leaving the lag out (default 2 s). */
  readonly lagReadTimeoutMs?: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** Events the log accepted (answered `accepted`, not `duplicate`), by type. */
  readonly eventsAccepted: Counter<'event_type'>;
  /** `POST /v1/events` requests refused, by error code. */
  readonly eventsRejected: Counter<'reason'>;
  /** Latency of each append of an ingest request to the log. */
  readonly logAppendSeconds: Histogram;
  /** Records per batch the projector wrote. */
  readonly projectionBatchSize: Histogram;
  /** Decode and write time per batch the projector wrote. */
  readonly projectionBatchSeconds: Histogram;
  /** Messages moved to a dead-letter topic, by that topic. */
  readonly deadLetterMessages: Counter<'topic'>;
  /** Audit rows that could not be written, by why: a gap in the audit trail is an alarm. */
  readonly auditRowsLost: Counter<'reason'>;
  /**
   * Reports `suyuan_consumer_lag{topic,group,partition}` (end offset − committed offset) for this
   * group, read from the log at each scrape, labelled with the names the log gives them (the
   * namespace applied, as Kafka's own tools show them). Watching the same pair twice changes
   * nothing.
   */
  watchConsumerLag(log: EventLog, topic: string, group: string): void;
  /**
   * Reports whether a consumer of this process gets on (consumer-gauges.ts): stalled or not, its
   * last progress, since when it fails and its last error, read at each scrape; and counts the
   * batches it failed.
   */
  watchConsumerHealth(health: ConsumerHealth): void;
  /** Batches a consumer failed (and will be given again), by topic and group. */
  readonly consumerFailures: Counter<'topic' | 'group'>;
}

/** 1 ms to 10 s: an fsync'd local append sits at the low end, a slow broker at the high end. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Projector batches are at most `PROJECTOR_BATCH_SIZE` records (5 000 by default). */
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const logger = options.logger ?? pino({ level: 'silent' });
  const timeoutMs = options.lagReadTimeoutMs ?? 2_000;
  const lag = createConsumerLag(registers, { logger, timeoutMs });
  const consumers = createConsumerGauges(registers, { logger, timeoutMs });
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'suyuan_events_accepted_total',
      help: 'Events appended to the log and answered "accepted" (duplicates excluded)',
      labelNames: ['event_type'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'suyuan_events_rejected_total',
      help: 'POST /v1/events requests refused, by error code',
      labelNames: ['reason'],
      registers,
    }),
    logAppendSeconds: new Histogram({
      name: 'suyuan_log_append_seconds',
      help: 'Time to append the events of one ingest request to the log durably',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    projectionBatchSize: new Histogram({
      name: 'suyuan_projection_batch_size',
      help: 'Log records per batch the projector wrote to the store',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    }),
    projectionBatchSeconds: new Histogram({
      name: 'suyuan_projection_batch_seconds',
      help: 'Time to decode one batch and write its rows to the store',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    deadLetterMessages: new Counter({
      name: 'suyuan_dead_letter_messages_total',
      help: 'Log records a consumer set aside in a dead-letter topic (undecodable, refused by the store, quarantined), by that topic',
      labelNames: ['topic'],
      registers,
    }),
    auditRowsLost: new Counter({
      name: 'suyuan_audit_rows_lost_total',
      help: 'Audit rows not written: refused by the store, dropped while it was out of reach, or unwritten at close',
      labelNames: ['reason'],
      registers,
    }),
    watchConsumerLag: lag.watch,
    watchConsumerHealth: consumers.watch,
    consumerFailures: new Counter({
      name: 'suyuan_consumer_failed_batches_total',
      help: 'Batches a consumer failed to handle; the log delivers them again after a backoff',
      labelNames: ['topic', 'group'],
      registers,
    }),
  };
}

interface WatchedGroup {
  readonly log: EventLog;
  readonly topic: string;
  readonly group: string;
  /** The topic and group labels: their names in the log. */
  readonly labels: { readonly topic: string; readonly group: string };
  /** Partitions last reported, so that a failed read can withdraw them. */
  partitions: number[];
}

function createConsumerLag(
  registers: Registry[],
  deps: { readonly logger: Logger; readonly timeoutMs: number },
) {
  const watched = new Map<string, WatchedGroup>();
  const gauge: Gauge<'topic' | 'group' | 'partition'> = new Gauge({
    name: 'suyuan_consumer_lag',
    help: 'Records a consumer group has yet to process: end offset minus committed offset',
    labelNames: ['topic', 'group', 'partition'],
    registers,
    // Read at each scrape; a log that cannot answer leaves its series out, never fails the scrape.
    collect: async () => {
      await Promise.all([...watched.values()].map((entry) => refresh(entry)));
    },
  });

  async function refresh(entry: WatchedGroup) {
    const { topic, group, labels } = entry;
    try {
      const [end, committed] = await withTimeout(
        Promise.all([entry.log.endOffsets(topic), entry.log.committedOffsets(topic, group)]),
        deps.timeoutMs,
      );
      for (const partition of entry.partitions) {
        if (!end.has(partition)) gauge.remove({ ...labels, partition: String(partition) });
      }
      for (const [partition, endOffset] of end) {
        // A group with no commit on a partition has all of it to read (Kafka reports -1 there).
        const next = Math.max(committed.get(partition) ?? 0, 0);
        gauge.set({ ...labels, partition: String(partition) }, Math.max(endOffset - next, 0));
      }
      entry.partitions = [...end.keys()];
    } catch (err) {
      deps.logger.debug({ err, ...labels }, 'consumer lag not read; left out of this scrape');
      for (const partition of entry.partitions) {
        gauge.remove({ ...labels, partition: String(partition) });
      }
      entry.partitions = [];
    }
  }

  return {
    watch: (log: EventLog, topic: string, group: string) => {
      const labels = { topic: log.qualifiedName(topic), group: log.qualifiedName(group) };
      const key = JSON.stringify(labels);
      if (!watched.has(key)) watched.set(key, { log, topic, group, labels, partitions: [] });
    },
  };
}
