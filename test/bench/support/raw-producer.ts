/**
 * The yardstick for ingest through Kafka: a bare kafkajs producer configured as the platform's
 * Kafka event log configures its own (same client settings, idempotent, one request in flight,
 * acks = all, the default murmur2 partitioner), sending to its own topic with the same number of
 * partitions. Whatever ingest costs beyond this is the platform's own.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import type { LogRecord } from '../../../services/common/log/event-log.js';
import { createKafkaClient } from '../../../services/common/log/kafka-client.js';

export interface RawProducer {
  readonly topic: string;
  send(records: readonly LogRecord[]): Promise<void>;
  /** Disconnects and deletes the topic. */
  close(): Promise<void>;
}

export async function openRawProducer(
  brokers: readonly string[],
  partitions: number,
): Promise<RawProducer> {
  const kafka = createKafkaClient({
    brokers,
    clientId: 'suyuan-bench-raw',
    logger: pino({ level: 'silent' }),
  });
  const topic = `bench-raw-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    topic,
    async send(records) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map(({ key, value }) => ({ key, value })),
      });
    },
    async close() {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
