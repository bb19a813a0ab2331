/**
 * The event log port. The embedded adapter (sqlite-event-log.ts) and the Kafka adapter both pass
 * the contract suite in test/contract/event-log.contract.ts.
 */

/** A record to append. Records with the same key keep their order. */
export interface LogRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * What the record is (an event's id, which names one event forever) and a fingerprint of its
   * content. A log that offers `identities` indexes it in the same write as the record.
   */
  readonly identity?: RecordIdentity;
}

/**
 * The header a log without `identities` (Kafka) carries a record's fingerprint in, so that a
 * reader indexing the records (a distributed ingest instance's replica) need not compute it again.
 */
export const FINGERPRINT_HEADER = 'suyuan-fingerprint';

export interface RecordIdentity {
  readonly id: string;
  readonly fingerprint: string;
}

/** Where a topic holds the record of an id, and that record's fingerprint. */
export interface HeldIdentity {
  readonly fingerprint: string;
  readonly partition: number;
  readonly offset: number;
}

/** The outcome of `appendNew` for each record, in order. */
export type NewAppend =
  | { readonly status: 'appended'; readonly receipt: AppendReceipt }
  | { readonly status: 'duplicate' };

/**
 * Offered by a log that settles record identity in the same durable write as the append (the
 * embedded log): "acknowledged" then always means "indexed", and two submissions of one id can
 * never both be appended.
 */
export interface RecordIdentities {
  /**
   * Appends the records whose id the topic does not hold yet; a record whose id it holds with the
   * same fingerprint is a duplicate. All or nothing: when an id is held with another fingerprint
   * (or comes twice with different ones), nothing is appended and the indexes of the records
   * that clash are returned.
   */
  appendNew(
    topic: string,
    records: ReadonlyArray<LogRecord & { readonly identity: RecordIdentity }>,
  ): Promise<{ readonly appended: NewAppend[] } | { readonly clashes: number[] }>;
  /** The ids among `ids` the topic holds. */
  find(topic: string, ids: readonly string[]): Promise<Map<string, HeldIdentity>>;
  /**
   * Records of the topic appended without an identity (by an older version), after `afterOffset`,
   * for the owner of the topic's records to index with `identify`.
   */
  unidentified(topic: string, afterOffset: number, maxRecords: number): Promise<StoredRecord[]>;
  /**
   * The offset through which every record of the topic is indexed, as `markIdentified` last
   * recorded it (−1 when never): a scan for unidentified records starts after it.
   */
  identifiedThrough(topic: string): Promise<number>;
  /** Records that every record of the topic through `offset` is indexed; never moves back. */
  markIdentified(topic: string, offset: number): Promise<void>;
  /** Indexes records already in the topic (see `unidentified`). */
  identify(
    topic: string,
    entries: ReadonlyArray<
      RecordIdentity & { readonly partition: number; readonly offset: number }
    >,
  ): Promise<void>;
}

/** A record as stored in the log. */
export interface StoredRecord extends LogRecord {
  readonly topic: string;
  readonly partition: number;
  /** Position within the partition; consecutive appends get increasing offsets. */
  readonly offset: number;
  /** Append time, milliseconds since the epoch. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface AppendReceipt {
  readonly partition: number;
  readonly offset: number;
}

export interface SubscribeOptions {
  readonly topic: string;
  /** Consumers in one group share the work and the committed offsets; groups are independent. */
  readonly groupId: string;
  /**
   * Called with records of one partition, in offset order. The offsets are committed only after
   * the returned promise resolves; when it rejects, the same records are delivered again after a
   * backoff. Handlers must therefore be idempotent (at-least-once delivery).
   */
  readonly handleBatch: (records: readonly StoredRecord[]) => Promise<void>;
  /** Upper bound on records per call (default 500). */
  readonly maxBatchSize?: number;
  /**
   * After a batch smaller than `maxBatchSize`, how long at most to let records gather before the
   * next call (default 0: at once): the wait is this share of `lingerMs` that the batch was of
   * `lingerFullAt`. The first record after a quiet spell goes at once, and so does the next after
   * a lone record; a steady stream grows its batches until they are full, which a handler that
   * writes ClickHouse parts wants. The embedded log honours it; Kafka's fetches gather by the
   * broker's own fetch wait.
   */
  readonly lingerMs?: number;
  /**
   * The batch size that lingers the whole of `lingerMs` (default and at most `maxBatchSize`):
   * larger batches, short of full, linger that long too. A handler whose batches may be large
   * under a backlog, but whose writes are cheap enough from a smaller size on, sets it so that a
   * steady stream is not held back until it fills the largest batch.
   */
  readonly lingerFullAt?: number;
  /** Where a group with no committed offset starts (default `earliest`). */
  readonly startAt?: 'earliest' | 'latest';
  /**
   * For a subscriber that keeps its own position with what it writes (a local replica): the
   * offset each partition resumes at, asked whenever the subscription starts or (Kafka) joins its
   * group, whatever the group committed. So a replica that lost its last writes, or was deleted
   * and starts empty (0 for every partition), is fed again from where it stands.
   */
  readonly resumeAt?: (partition: number) => number;
  /**
   * The group is this subscription's alone, for this run (a replica's, new at each start): once
   * the subscription has stopped, the log forgets the group and what it committed, so restarts
   * leave no groups behind. A process killed leaves it until the log's own expiry (Kafka's offset
   * retention, seven days by default); the embedded log keeps it.
   */
  readonly deleteGroupOnStop?: boolean;
  /**
   * Told when the subscription's state changes: `joining` while it is not (or no longer) a member
   * of its group with partitions to read, `consuming` once it is, `failed` when it stopped on its
   * own and will not resume. The embedded log has no group to join: it reports `consuming` at once.
   */
  readonly onStateChange?: (state: SubscriptionState) => void;
}

export type SubscriptionState = 'joining' | 'consuming' | 'failed';

export interface Subscription {
  /** Stops fetching, waits for the batch in hand to finish and commit. */
  stop(): Promise<void>;
}

export interface ReadOptions {
  readonly partition?: number;
  readonly fromOffset: number;
  readonly maxRecords: number;
}

export interface EventLog {
  /** Creates the topic when it does not exist yet. */
  ensureTopic(topic: string): Promise<void>;
  /**
   * Appends the records in order. Resolves only once every record is durable: it survives the
   * process being killed right after.
   */
  append(topic: string, records: readonly LogRecord[]): Promise<AppendReceipt[]>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Reads stored records from an offset, outside any group (replay, inspection). */
  read(topic: string, options: ReadOptions): Promise<StoredRecord[]>;
  /** The committed offset of a group (the next offset it will read), per partition. */
  committedOffsets(topic: string, groupId: string): Promise<ReadonlyMap<number, number>>;
  /** The next offset to be written, per partition. */
  endOffsets(topic: string): Promise<ReadonlyMap<number, number>>;
  /**
   * The name a topic or consumer group has in the log itself, as the log's own tools, a schema
   * registry and dashboards see it (a namespace applied).
   */
  qualifiedName(name: string): string;
  /** Throws when the log cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Present when the log settles record identity atomically with the append. */
  readonly identities?: RecordIdentities;
  /**
   * Present when the log can tell, in this process, that records were appended to `topic`: calls
   * `listener` after each commit of appends made here; returns what stops the calls. A reader
   * outside any group (the serving feeder) wakes on it instead of waiting out its poll.
   */
  readonly watchAppends?: (topic: string, listener: () => void) => () => void;
}
