/**
 * Reading a partition from an offset outside any subscriber's group. kafkajs consumes only through
 * groups, so each read uses a throwaway group, deleted afterwards. The consumer seeks when it
 * joins the group: kafkajs calls that listener before its first fetch, so no fetch from another
 * position comes first. (admin.setOffsets would do too, but costs a full fetch wait, 5 s.)
 */
import { randomUUID } from 'node:crypto';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { ReadOptions, StoredRecord } from './event-log.js';
import { toStoredRecord } from './kafka-client.js';
import { groupConsumer, type GroupTimings } from './kafka-subscription.js';

export interface PartitionReadOptions {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly topic: string;
  readonly read: ReadOptions;
  /** The partition's end offset (high watermark) when the read began. */
  readonly endOffset: number;
  readonly timings: GroupTimings;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Reads up to `maxRecords` records from `fromOffset`, stopping at `endOffset`. */
export async function readPartition(options: PartitionReadOptions): Promise<StoredRecord[]> {
  const { kafka, admin, topic, endOffset, timings, logger } = options;
  const { partition = 0, fromOffset, maxRecords } = options.read;
  const lastWanted = Math.min(fromOffset + maxRecords, endOffset) - 1;
  if (lastWanted < fromOffset) return [];

  const groupId = `suyuan-read-${randomUUID()}`;
  const records: StoredRecord[] = [];
  /** The next offset wanted; a rejoin of the group seeks back here. */
  let next = fromOffset;
  let finish = (): void => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const eachBatch = ({ batch }: EachBatchPayload): Promise<void> => {
    if (batch.partition !== partition) return Promise.resolve();
    for (const message of batch.messages) {
      const record = toStoredRecord(topic, partition, message);
      if (record.offset < next || records.length >= maxRecords) continue;
      records.push(record);
      next = record.offset + 1;
    }
    if (records.length >= maxRecords || Number(batch.lastOffset()) >= lastWanted) finish();
    return Promise.resolve();
  };

  const consumer = groupConsumer(kafka, groupId, timings);
  consumer.on(consumer.events.GROUP_JOIN, () => {
    consumer.seek({ topic, partition, offset: String(next) });
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    // The other partitions have no offset in this group: they start at the end.
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatch });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`read did not reach offset ${lastWanted} in time`)),
        options.timeoutMs,
      );
    });
    await Promise.race([finished, timedOut]);
    return records;
  } finally {
    clearTimeout(timer);
    await consumer
      .disconnect()
      .catch((err: unknown) =>
        logger.debug({ err, groupId }, 'could not disconnect read consumer'),
      );
    await admin
      .deleteGroups([groupId])
      .catch((err: unknown) => logger.debug({ err, groupId }, 'could not delete read group'));
  }
}
