/**
 * Keeps the serving index ahead of the ClickHouse projection (docs/adr/0001-serving-path.md).
 * It applies the records of the event log to the index in a loop of its own, as soon as they are
 * appended, so a trace shows an event milliseconds after its 202 however long the store's inserts
 * take; the projector writes a batch to the store only once the index holds it (`reached`), so
 * an event is still never in the store before it is in the index.
 *
 * Its position is the index's own, committed in the same LMDB transaction as the rows: no
 * consumer group, so a deleted index (replay) is fed again from the start of the log. What the
 * projector later sets aside (refused by the store, quarantined) it takes out of the index again.
 */
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import type { EventLog, StoredRecord } from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import { FOR_SERVING, projectEvents } from '../common/projection/projection.js';
import type { LmdbServingIndex } from '../common/serving/lmdb-serving-index.js';
import { EVENTS_TOPIC } from '../common/topics.js';

/** How long the feeder waits for appends it cannot be told of (another process's, Kafka's). */
const POLL_INTERVAL_MS = 50;
/** After a failed turn (the index could not be written), before the next. */
const RETRY_AFTER_MS = 1_000;
/**
 * Records applied in one LMDB transaction, at most, here and by the start-up catch-up. A
 * transaction costs mostly the tree pages it rewrites, which its records share. Under ingest at
 * 8 000 events/s with 16 clients tracing (small graph, 30 s runs), transactions of 1 000 records
 * took 20–200 ms each to commit, the index fell up to 11 000 records behind the log, and a new
 * event showed in a trace after 373–896 ms at the median (slowest 1.7–1.9 s); with up to 5 000
 * a transaction, about 100 ms each, after 132–141 ms (slowest 0.7–0.8 s).
 */
export const APPLY_CHUNK = 5_000;

export interface ServingFeederDeps {
  readonly log: EventLog;
  readonly codec: EventCodec;
  readonly index: LmdbServingIndex;
  readonly logger: Logger;
}

export interface ServingFeeder {
  /** Resolves once the index holds every record of `partition` before `nextOffset`. */
  reached(partition: number, nextOffset: number): Promise<void>;
  /** Stops after the turn in hand; a `reached` still waiting then rejects. */
  stop(): Promise<void>;
}

interface Waiter {
  readonly partition: number;
  readonly nextOffset: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** The events of the records, leaving out those no schema here decodes (the projector sets them aside). */
export function decodable(codec: EventCodec, records: readonly StoredRecord[]): SuyuanEvent[] {
  return records.flatMap((record): SuyuanEvent[] => {
    try {
      return [codec.decode(record.value)];
    } catch {
      return [];
    }
  });
}

export function startServingFeeder(deps: ServingFeederDeps): ServingFeeder {
  const logger = deps.logger.child({ component: 'serving-feeder' });
  const positions = new Map<number, number>();
  const ours = `${EVENTS_TOPIC}/`;
  for (const [where, next] of deps.index.positions()) {
    if (where.startsWith(ours)) positions.set(Number(where.slice(ours.length)), next);
  }
  let waiters: Waiter[] = [];
  let stopped = false;
  // A wake-up that comes while a turn runs is kept, so the next pause ends at once.
  let wake: (() => void) | undefined;
  let wokenWhileBusy = false;
  const interrupt = () => {
    if (wake) wake();
    else wokenWhileBusy = true;
  };
  const unwatch = deps.log.watchAppends?.(EVENTS_TOPIC, interrupt);

  const holds = (partition: number, nextOffset: number) =>
    (positions.get(partition) ?? 0) >= nextOffset;

  const settle = () => {
    const waiting = waiters;
    waiters = [];
    for (const waiter of waiting) {
      if (holds(waiter.partition, waiter.nextOffset)) waiter.resolve();
      else waiters.push(waiter);
    }
  };

  /** Applies what the log holds past the index's position; returns how many records. */
  const turn = async (): Promise<number> => {
    let applied = 0;
    for (const [partition, end] of await deps.log.endOffsets(EVENTS_TOPIC)) {
      const next = positions.get(partition) ?? 0;
      if (next >= end) continue;
      const records = await deps.log.read(EVENTS_TOPIC, {
        partition,
        fromOffset: next,
        maxRecords: Math.min(APPLY_CHUNK, end - next),
      });
      const last = records.at(-1);
      if (!last) continue;
      const nextOffset = last.offset + 1;
      await deps.index.apply(projectEvents(decodable(deps.codec, records), FOR_SERVING), {
        topic: EVENTS_TOPIC,
        partition,
        nextOffset,
      });
      positions.set(partition, nextOffset);
      applied += records.length;
      settle();
    }
    return applied;
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wokenWhileBusy) {
        wokenWhileBusy = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const running = (async () => {
    while (!stopped) {
      try {
        if ((await turn()) === 0) await pause(POLL_INTERVAL_MS);
      } catch (error) {
        logger.error({ err: error }, 'serving index: could not apply; trying again');
        await pause(RETRY_AFTER_MS);
      }
    }
  })();

  return {
    reached(partition, nextOffset) {
      if (holds(partition, nextOffset)) return Promise.resolve();
      if (stopped) return Promise.reject(new Error('the serving feeder has stopped'));
      return new Promise<void>((resolve, reject) => {
        waiters.push({ partition, nextOffset, resolve, reject });
        interrupt();
      });
    },
    async stop() {
      stopped = true;
      unwatch?.();
      interrupt();
      await running;
      for (const waiter of waiters) waiter.reject(new Error('the serving feeder has stopped'));
      waiters = [];
    },
  };
}
