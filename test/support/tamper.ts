/**
 * An operator's edits of a stopped embedded platform's files, for the tamper tests
 * (docs/proofs.md): one character of a stored row changed in ClickHouse (chDB), or one bit of a
 * record's Avro body changed in the log — each of the same length, so nothing else notices.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createChdbStore } from '../../services/common/store/chdb-store.js';
import { EVENTS_TOPIC } from '../../services/common/topics.js';

/**
 * Edits one text column of the row a record wrote: `events.payload`, `epcis_events.event`, … —
 * the edit must change the text and keep its length.
 */
export async function alterStoredColumn(
  dataDir: string,
  where: { table: string; column: string; eventId: string },
  edit: (text: string) => string,
): Promise<void> {
  const { table, column, eventId } = where;
  const store = createChdbStore({ path: join(dataDir, 'clickhouse') });
  try {
    const [row] = await store.query<{ text: string }>(
      `SELECT ${column} AS text FROM ${table} FINAL WHERE event_id = {eventId:String}`,
      { eventId },
    );
    const text = edit(row!.text);
    expect(text.length).toBe(row!.text.length);
    expect(text).not.toBe(row!.text);
    await store.command(
      `ALTER TABLE ${table} UPDATE ${column} = {text:String} WHERE event_id = {eventId:String}
       SETTINGS mutations_sync = 2`,
      { text, eventId },
    );
  } finally {
    await store.close();
  }
}

/**
 * Flips the low bit of the byte after `marker` in the record at `offset` of the events topic
 * (partition 0): inside a string the record still decodes, to another value.
 */
export function alterLogRecord(dataDir: string, offset: number, marker: string): void {
  const log = new Database(join(dataDir, 'log', 'events.sqlite'));
  try {
    const { value } = log
      .prepare<[string, number], { value: Buffer }>(
        'SELECT value FROM records WHERE topic = ? AND partition_id = 0 AND record_offset = ?',
      )
      .get(EVENTS_TOPIC, offset)!;
    const edited = Buffer.from(value);
    const at = edited.indexOf(Buffer.from(marker));
    expect(at).toBeGreaterThan(0);
    const target = at + Buffer.byteLength(marker);
    edited[target] = edited[target]! ^ 0x01;
    log
      .prepare(
        'UPDATE records SET value = ? WHERE topic = ? AND partition_id = 0 AND record_offset = ?',
      )
      .run(edited, EVENTS_TOPIC, offset);
  } finally {
    log.close();
  }
}
