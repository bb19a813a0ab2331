import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AppendReceipt, LogRecord, StoredRecord } from './event-log.js';

/** The embedded log has one partition per topic; every record lives in partition 0. */
export const PARTITION = 0;

/** Synchronous access to the log's tables; callers turn its failures into `log_unavailable`. */
export interface SqliteLogStore {
  /** Creates the topic when missing. */
  ensureTopic(topic: string): void;
  /** Appends all records in one transaction, creating the topic when missing. */
  append(topic: string, records: readonly LogRecord[]): AppendReceipt[];
  read(topic: string, partition: number, fromOffset: number, maxRecords: number): StoredRecord[];
  committedOffsets(topic: string, groupId: string): Map<number, number>;
  commit(topic: string, groupId: string, partition: number, nextOffset: number): void;
  /** The next offset to be written, or undefined when the topic does not exist. */
  endOffset(topic: string): number | undefined;
  ping(): void;
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS topics (
    name TEXT PRIMARY KEY,
    next_offset INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS records (
    topic TEXT NOT NULL,
    partition_id INTEGER NOT NULL,
    record_offset INTEGER NOT NULL,
    record_key TEXT NOT NULL,
    value BLOB NOT NULL,
    headers TEXT NOT NULL,
    appended_at INTEGER NOT NULL,
    PRIMARY KEY (topic, partition_id, record_offset)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS committed_offsets (
    group_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition_id INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic, partition_id)
  ) STRICT, WITHOUT ROWID;
`;

interface RecordRow {
  topic: string;
  partition_id: number;
  record_offset: number;
  record_key: string;
  value: Buffer;
  headers: string;
  appended_at: number;
}

function openDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  // FULL makes every commit fsync the WAL: an acknowledged append survives SIGKILL and power loss.
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  return db;
}

function prepareStatements(db: Database.Database) {
  return {
    createTopic: db.prepare<[string, number]>(
      `INSERT INTO topics (name, next_offset, created_at) VALUES (?, 0, ?)
       ON CONFLICT (name) DO NOTHING`,
    ),
    // Creates the topic when missing and reserves offsets for the records about to be inserted;
    // returns the new end offset. Runs inside the append transaction, which holds the write lock.
    reserveOffsets: db.prepare<[string, number, number], { next_offset: number }>(
      `INSERT INTO topics (name, next_offset, created_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET next_offset = next_offset + excluded.next_offset
       RETURNING next_offset`,
    ),
    endOffset: db.prepare<[string], { next_offset: number }>(
      'SELECT next_offset FROM topics WHERE name = ?',
    ),
    insertRecord: db.prepare<[string, number, number, string, Buffer, string, number]>(
      `INSERT INTO records (topic, partition_id, record_offset, record_key, value, headers, appended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    readRecords: db.prepare<[string, number, number, number], RecordRow>(
      `SELECT topic, partition_id, record_offset, record_key, value, headers, appended_at
       FROM records WHERE topic = ? AND partition_id = ? AND record_offset >= ?
       ORDER BY record_offset LIMIT ?`,
    ),
    committedOffsets: db.prepare<[string, string], { partition_id: number; next_offset: number }>(
      'SELECT partition_id, next_offset FROM committed_offsets WHERE topic = ? AND group_id = ?',
    ),
    commit: db.prepare<[string, string, number, number]>(
      `INSERT INTO committed_offsets (group_id, topic, partition_id, next_offset) VALUES (?, ?, ?, ?)
       ON CONFLICT (group_id, topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset`,
    ),
    ping: db.prepare('SELECT 1'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function toStoredRecord(row: RecordRow): StoredRecord {
  return {
    topic: row.topic,
    partition: row.partition_id,
    offset: row.record_offset,
    key: row.record_key,
    value: row.value,
    headers: JSON.parse(row.headers) as Record<string, string>,
    timestamp: row.appended_at,
  };
}

function createAppender(db: Database.Database, statements: Statements) {
  const appendAll = db.transaction((topic: string, records: readonly LogRecord[]) => {
    const now = Date.now();
    const reserved = statements.reserveOffsets.get(topic, records.length, now);
    if (!reserved) throw new Error(`could not reserve offsets on topic ${topic}`);
    const first = reserved.next_offset - records.length;
    return records.map((record, index): AppendReceipt => {
      const offset = first + index;
      const headers = JSON.stringify(record.headers ?? {});
      statements.insertRecord.run(topic, PARTITION, offset, record.key, record.value, headers, now);
      return { partition: PARTITION, offset };
    });
  });
  // IMMEDIATE takes the write lock up front, so writers in other processes wait instead of failing.
  return (topic: string, records: readonly LogRecord[]) => appendAll.immediate(topic, records);
}

export function openSqliteLogStore(path: string): SqliteLogStore {
  const db = openDatabase(path);
  const statements = prepareStatements(db);
  return {
    ensureTopic: (topic) => void statements.createTopic.run(topic, Date.now()),
    append: createAppender(db, statements),
    read: (topic, partition, fromOffset, maxRecords) =>
      maxRecords <= 0
        ? []
        : statements.readRecords.all(topic, partition, fromOffset, maxRecords).map(toStoredRecord),
    committedOffsets: (topic, groupId) => {
      const rows = statements.committedOffsets.all(topic, groupId);
      return new Map(rows.map((row) => [row.partition_id, row.next_offset]));
    },
    commit: (topic, groupId, partition, nextOffset) =>
      void statements.commit.run(groupId, topic, partition, nextOffset),
    endOffset: (topic) => statements.endOffset.get(topic)?.next_offset,
    ping: () => void statements.ping.get(),
    close: () => db.close(),
  };
}
