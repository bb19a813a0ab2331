/**
 * What a process that is its store's only writer (chDB: one process holds its data) knows of the
 * records set aside and quarantined, so that a consumer asks it, not the store, which records of a
 * batch to skip. That question was one store statement per batch of every consumer: under a
 * stream of 1000-event POSTs, the most time-consuming statement the embedded store ran, ahead of
 * the inserts of the `events` table.
 *
 * Loaded from `dead_letters` and `quarantined_offsets` once, at the first question; every write
 * to them in the process goes through `DeadLetters.setAside` and `quarantineLogRecord`, which
 * note it here once it is stored. Both tables stay small (a record lands there only when it could
 * not be processed, or an operator said so), and so does this.
 */
import type { Store } from '../store/store.js';

/** A batch's place in the log: one partition of one topic, `from` to `to` inclusive. */
export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

export interface SetAsideMemory {
  /**
   * The quarantined offsets in `range` with the operator's reason, and those `consumer` set aside
   * (none for the empty name), as the store would answer.
   */
  among(
    range: OffsetRange,
    consumer: string,
  ): Promise<{ quarantined: Map<number, string>; setAside: Set<number> }>;
  /** Notes records `consumer` set aside, once they are stored. */
  noteSetAside(
    consumer: string,
    records: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
  ): void;
  /** Notes a quarantine, once it is stored. */
  noteQuarantine(record: {
    topic: string;
    partition: number;
    offset: number;
    reason: string;
  }): void;
}

interface PartitionMemory {
  readonly quarantined: Map<number, string>;
  /** Offsets set aside, by consumer group. */
  readonly setAside: Map<string, Set<number>>;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export function createSetAsideMemory(store: Store): SetAsideMemory {
  const partitions = new Map<string, PartitionMemory>();
  const partitionOf = (topic: string, partition: number): PartitionMemory => {
    const key = partitionKey(topic, partition);
    let found = partitions.get(key);
    if (!found) {
      found = { quarantined: new Map(), setAside: new Map() };
      partitions.set(key, found);
    }
    return found;
  };
  const setAside = (consumer: string, topic: string, partition: number, offset: number) => {
    const byConsumer = partitionOf(topic, partition).setAside;
    let offsets = byConsumer.get(consumer);
    if (!offsets) {
      offsets = new Set();
      byConsumer.set(consumer, offsets);
    }
    offsets.add(offset);
  };

  let loading: Promise<void> | undefined;
  const loaded = () =>
    (loading ??= (async () => {
      const [quarantines, deadLetters] = await Promise.all([
        store.query<{ topic: string; partition: number; offset: number; reason: string }>(
          'SELECT topic, partition, offset, reason FROM quarantined_offsets FINAL',
        ),
        store.query<{ topic: string; partition: number; offset: number; consumer: string }>(
          'SELECT topic, partition, offset, consumer FROM dead_letters FINAL',
        ),
      ]);
      for (const row of quarantines) {
        partitionOf(row.topic, Number(row.partition)).quarantined.set(
          Number(row.offset),
          row.reason,
        );
      }
      for (const row of deadLetters) {
        setAside(row.consumer, row.topic, Number(row.partition), Number(row.offset));
      }
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

  return {
    async among(range, consumer) {
      await loaded();
      const memory = partitions.get(partitionKey(range.topic, range.partition));
      const within = (offset: number) => offset >= range.from && offset <= range.to;
      return {
        quarantined: new Map([...(memory?.quarantined ?? [])].filter(([offset]) => within(offset))),
        setAside: new Set([...(memory?.setAside.get(consumer) ?? [])].filter(within)),
      };
    },
    noteSetAside(consumer, records) {
      for (const { topic, partition, offset } of records) {
        setAside(consumer, topic, partition, offset);
      }
    },
    noteQuarantine({ topic, partition, offset, reason }) {
      partitionOf(topic, partition).quarantined.set(offset, reason);
    },
  };
}
