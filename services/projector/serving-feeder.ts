/**
 * Keeps the serving index ahead of the ClickHouse projection (docs/adr/0001-serving-path.md).
 * It applies the records of the event log to the index in a loop of its own, as soon as they are
 * appended, so a trace shows an event milliseconds after its 202 however long the store's inserts
 * take; the projector writes a batch to the store only once the index holds it (`reached`), so
 * an event is still never in the store before it is in the index.
 *
 * Its position is the index's own, committed in LMDB with the rows, at most a chunk behind them:
 * no consumer group, so a deleted index (replay) is fed again from the start of the log. What the
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
 *
 * A chunk is read, decoded, projected and encoded in one turn of the event loop (about 100 ms for
 * 5 000 records), which holds up the HTTP answers of this thread meanwhile. Two ways out were
 * measured in the same mixed run and left out (2026-12-06, alternated 20 s rounds): decoding and
 * projecting 1 000 records a turn cut a trace's p99 there from 394 to 278 ms at the median but
 * raised the slowest freshness from 954 to 1 236 ms, since every slice then waited behind the
 * POSTs of its turn; the feeder on a thread of its own competed for the same two cores and lost
 * the decodes it shares with the other consumers: the slowest freshness was 686–1 291 ms against
 * 443–1 075 ms on this thread (four rounds each).
 */
export const APPLY_CHUNK = 5_000;

export interface ServingFeederDeps {
  readonly log: EventLog;
  readonly codec: EventCodec;
  readonly index: LmdbServingIndex;
  readonly logger: Logger;
  /** Records per transaction, at most: `APPLY_CHUNK` unless a test wants chunks of a few. */
  readonly chunk?: number;
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

/** What a write that only records a position applies. */
const NO_ROWS = projectEvents([], FOR_SERVING);

export function startServingFeeder(deps: ServingFeederDeps): ServingFeeder {
  const logger = deps.logger.child({ component: 'serving-feeder' });
  const chunk = deps.chunk ?? APPLY_CHUNK;
  const positions = deps.index.positions(EVENTS_TOPIC);
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

  // The chunks are pipelined: the next is read, decoded, projected and encoded while the one
  // before commits on lmdb's write thread, which commits writes in the order they were made. So a
  // chunk's rows go with the position of what had committed when it was written, not its own: a
  // restart applies the chunks after that position again (putting the same row changes nothing),
  // and a failed commit leaves no later position past its records.
  /** Where the next chunk starts, per partition, while chunks are in flight past `positions`. */
  const issued = new Map<number, number>();
  /** The position the index has recorded, per partition: it lags `positions` by a chunk. */
  const recorded = new Map<number, number>(positions);
  /** The last chunk written: settles once it and every chunk before it have committed. */
  let tail: Promise<void> = Promise.resolve();

  /** Writes the next chunk of each partition; returns how many records. */
  const turn = async (): Promise<number> => {
    let written = 0;
    for (const [partition, end] of await deps.log.endOffsets(EVENTS_TOPIC)) {
      const from = issued.get(partition) ?? positions.get(partition) ?? 0;
      if (from >= end) continue;
      const records = await deps.log.read(EVENTS_TOPIC, {
        partition,
        fromOffset: from,
        maxRecords: Math.min(chunk, end - from),
      });
      const last = records.at(-1);
      if (!last) continue;
      const nextOffset = last.offset + 1;
      const carried = positions.get(partition) ?? 0;
      const rows = projectEvents(decodable(deps.codec, records), FOR_SERVING);
      const write = deps.index.apply(rows, { topic: EVENTS_TOPIC, partition, nextOffset: carried });
      issued.set(partition, nextOffset);
      // Its failure surfaces through `tail`; marked handled so a failure before it is the one told.
      write.catch(() => {});
      const before = tail;
      tail = (async () => {
        await before;
        await write;
        recorded.set(partition, Math.max(recorded.get(partition) ?? 0, carried));
        positions.set(partition, nextOffset);
        settle();
      })();
      tail.catch(() => {});
      // One commit in flight while the next chunk is prepared: the one before this must be done.
      await before;
      written += records.length;
    }
    return written;
  };

  /** After a failed commit: the chunks in flight are dropped and read again from `positions`. */
  const forgetInFlight = () => {
    issued.clear();
    tail = Promise.resolve();
  };

  /** Waits for the chunks in flight, then records the position the last one could not carry. */
  const recordPositions = async () => {
    await tail;
    issued.clear();
    for (const [partition, next] of positions) {
      if ((recorded.get(partition) ?? 0) >= next) continue;
      await deps.index.apply(NO_ROWS, { topic: EVENTS_TOPIC, partition, nextOffset: next });
      recorded.set(partition, next);
    }
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
        if ((await turn()) === 0) {
          await recordPositions();
          await pause(POLL_INTERVAL_MS);
        }
      } catch (error) {
        forgetInFlight();
        logger.error({ err: error }, 'serving index: could not apply; trying again');
        await pause(RETRY_AFTER_MS);
      }
    }
    await recordPositions().catch((error: unknown) => {
      logger.warn({ err: error }, 'serving index: the last chunk is applied again at start-up');
    });
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
