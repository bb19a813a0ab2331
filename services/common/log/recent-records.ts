import type { StoredRecord } from './event-log.js';

/**
 * The records of the embedded log that some subscription of this process has read and another
 * has yet to, shared between them. In the embedded platform four consumers read every event (the
 * store's projection, the proof keeper, the recall service and the serving feeder), each a little
 * behind or ahead of the others; without this, each read the same rows from SQLite, parsed their
 * headers, and decoded them itself. With it the first reader's records go to the others as the
 * same objects, so a decode kept per message (`decodeOnce`, events/decode-once.ts) serves them all.
 *
 * A record is kept until every subscription of its topic has read past it, so a platform whose
 * consumers have caught up keeps none. At most `maxPerTopic` are kept: past that (a consumer far
 * behind, or stopped without releasing), the oldest go, and whoever still needs them reads them
 * from SQLite as before. A record never changes once appended (the log only appends), so a kept
 * one is never stale; one appended by another process is read from SQLite like any other.
 */
export interface RecentRecords {
  /**
   * Up to `maxRecords` consecutive records of `topic` from `fromOffset` for the subscription of
   * `groupId`, which has then handled every record before `fromOffset`: those kept, then from
   * `readStore` from the first one not kept, which are kept in turn for the others.
   */
  read(
    topic: string,
    groupId: string,
    fromOffset: number,
    maxRecords: number,
    readStore: (fromOffset: number, maxRecords: number) => StoredRecord[],
  ): StoredRecord[];
  /** The subscription of `groupId` to `topic` has stopped: it holds back no record any more. */
  release(topic: string, groupId: string): void;
  /** How many records of `topic` are kept now. */
  kept(topic: string): number;
}

interface TopicRecords {
  /** By offset, in the order read: mostly ascending, so the oldest are met first. */
  readonly kept: Map<number, StoredRecord>;
  /** Where each subscription reads next: what it has passed, no subscription needs. */
  readonly positions: Map<string, number>;
}

export function createRecentRecords(maxPerTopic: number): RecentRecords {
  const topics = new Map<string, TopicRecords>();
  const topicRecords = (topic: string): TopicRecords => {
    let records = topics.get(topic);
    if (!records) topics.set(topic, (records = { kept: new Map(), positions: new Map() }));
    return records;
  };
  const forgetPassed = ({ kept, positions }: TopicRecords) => {
    let slowest = Infinity;
    for (const position of positions.values()) slowest = Math.min(slowest, position);
    for (const offset of kept.keys()) {
      if (offset >= slowest && kept.size <= maxPerTopic) break;
      kept.delete(offset);
    }
  };
  return {
    read(topic, groupId, fromOffset, maxRecords, readStore) {
      const records = topicRecords(topic);
      records.positions.set(groupId, fromOffset);
      const found: StoredRecord[] = [];
      for (let offset = fromOffset; found.length < maxRecords; offset++) {
        const record = records.kept.get(offset);
        if (!record) break;
        found.push(record);
      }
      if (found.length < maxRecords) {
        const read = readStore(fromOffset + found.length, maxRecords - found.length);
        for (const record of read) {
          records.kept.set(record.offset, record);
          found.push(record);
        }
      }
      forgetPassed(records);
      return found;
    },
    release(topic, groupId) {
      const records = topics.get(topic);
      if (!records) return;
      records.positions.delete(groupId);
      forgetPassed(records);
    },
    kept: (topic) => topics.get(topic)?.kept.size ?? 0,
  };
}
