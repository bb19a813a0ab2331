/**
 * Several platforms can share one Kafka cluster (staging next to test, parallel test suites):
 * with a namespace, every topic and consumer group a platform uses is prefixed with it. The
 * services keep using the plain names; records come back with the plain topic name, and
 * `qualifiedName` gives the prefixed one for what is seen outside (registry subjects, metrics).
 */
import type { EventLog, StoredRecord } from './event-log.js';

export function namespacedEventLog(log: EventLog, namespace: string): EventLog {
  if (namespace === '') return log;
  const name = (topic: string) => `${namespace}${topic}`;
  const plain = (record: StoredRecord): StoredRecord => ({
    ...record,
    topic: record.topic.startsWith(namespace) ? record.topic.slice(namespace.length) : record.topic,
  });
  return {
    ensureTopic: (topic) => log.ensureTopic(name(topic)),
    append: (topic, records) => log.append(name(topic), records),
    subscribe: (options) =>
      log.subscribe({
        ...options,
        topic: name(options.topic),
        groupId: name(options.groupId),
        handleBatch: (records) => options.handleBatch(records.map(plain)),
      }),
    read: async (topic, options) => (await log.read(name(topic), options)).map(plain),
    committedOffsets: (topic, groupId) => log.committedOffsets(name(topic), name(groupId)),
    endOffsets: (topic) => log.endOffsets(name(topic)),
    qualifiedName: (plainName) => log.qualifiedName(name(plainName)),
    ...(log.watchAppends
      ? { watchAppends: (topic, listener) => log.watchAppends!(name(topic), listener) }
      : {}),
    ping: () => log.ping(),
    close: () => log.close(),
  };
}
