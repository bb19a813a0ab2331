/**
 * The health of the consumers in this process as Prometheus series (issue 13): a consumer that
 * gets nowhere while records wait shows as `suyuan_consumer_stalled 1`, with since when it fails
 * and its last error, so that an operator's alert fires instead of lag quietly growing.
 */
import { Gauge, type Registry } from 'prom-client';
import type { ConsumerHealth, ConsumerStatus } from '../log/consumer-health.js';
import type { Logger } from '../logger.js';
import { withTimeout } from './with-timeout.js';

type Labels = 'topic' | 'group';
/** Errors can be long (a store's message); a label keeps their start. */
const MAX_ERROR_LABEL_LENGTH = 200;
const unixSeconds = (ms: number) => ms / 1000;

export function createConsumerGauges(
  registers: Registry[],
  deps: { readonly logger: Logger; readonly timeoutMs: number },
) {
  const watched = new Map<string, ConsumerHealth>();
  /** The error label each group last reported, so that a new error replaces it. */
  const reportedErrors = new Map<string, string>();

  // A scrape collects every series at once: they share one read of each consumer's status.
  let reading: Promise<void> | undefined;
  const readAll = (): Promise<void> =>
    (reading ??= Promise.all([...watched.values()].map(refresh))
      .then(() => undefined)
      .finally(() => {
        reading = undefined;
      }));

  const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Gauge<L>({ name, help, labelNames, registers, collect: readAll });
  const stalled = gauge(
    'suyuan_consumer_stalled',
    'Whether records wait on a consumer that has made no progress for CONSUMER_STALL_AFTER_MS',
    ['topic', 'group'],
  );
  const lastProgress = gauge(
    'suyuan_consumer_last_progress_timestamp_seconds',
    'When the consumer last handled a batch, or its group was seen to move on',
    ['topic', 'group'],
  );
  const failingSince = gauge(
    'suyuan_consumer_failing_since_timestamp_seconds',
    'When the current run of failed batches began; 0 while batches succeed',
    ['topic', 'group'],
  );
  const lastError = gauge(
    'suyuan_consumer_last_error_timestamp_seconds',
    'When the consumer last failed a batch, with the start of that error',
    ['topic', 'group', 'error'],
  );

  async function refresh(health: ConsumerHealth) {
    try {
      report(await withTimeout(health.status(), deps.timeoutMs));
    } catch (err) {
      const { topic, group } = health;
      deps.logger.debug({ err, topic, group }, 'consumer health not read; left as it was');
    }
  }

  function report(status: ConsumerStatus) {
    const labels: Record<Labels, string> = { topic: status.topic, group: status.group };
    stalled.set(labels, status.stalled ? 1 : 0);
    lastProgress.set(labels, unixSeconds(status.lastProgressAt));
    failingSince.set(
      labels,
      status.failingSince === undefined ? 0 : unixSeconds(status.failingSince),
    );
    if (!status.lastError) return;
    const key = JSON.stringify(labels);
    const error = status.lastError.message.slice(0, MAX_ERROR_LABEL_LENGTH);
    const previous = reportedErrors.get(key);
    if (previous !== undefined && previous !== error) {
      lastError.remove({ ...labels, error: previous });
    }
    reportedErrors.set(key, error);
    lastError.set({ ...labels, error }, unixSeconds(status.lastError.at));
  }

  return {
    watch: (health: ConsumerHealth) => {
      watched.set(JSON.stringify([health.topic, health.group]), health);
    },
  };
}
