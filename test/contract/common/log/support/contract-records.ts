/** The records the event log contract appends, and what it expects of their positions. */
import type { LogRecord, StoredRecord } from '../../../../../services/common/log/event-log.js';
import type { Position } from './log-child-process.js';

export function record(key: string, text: string, headers?: Record<string, string>): LogRecord {
  return { key, value: Buffer.from(text), ...(headers ? { headers } : {}) };
}

export function positions(records: readonly Position[]): Position[] {
  return records.map(({ partition, offset }) => ({ partition, offset }));
}

/** Positions in partition, then offset order: the log orders records within a partition only. */
export function sortedPositions(records: readonly Position[]): Position[] {
  return positions(records).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export function content(stored: StoredRecord | undefined) {
  return stored && { key: stored.key, value: stored.value, headers: stored.headers };
}

/** What `committedOffsets` reports once all these records were processed: last offset + 1. */
export function nextOffsets(records: readonly Position[]): Map<number, number> {
  const next = new Map<number, number>();
  for (const { partition, offset } of records) {
    next.set(partition, Math.max(next.get(partition) ?? 0, offset + 1));
  }
  return next;
}

export function textsByKey(records: readonly LogRecord[]): Map<string, string[]> {
  const texts = new Map<string, string[]>();
  for (const { key, value } of records) texts.set(key, [...(texts.get(key) ?? []), String(value)]);
  return texts;
}
