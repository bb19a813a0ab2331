/**
 * Pending audit rows, written to the store in batches. Two failures are told apart:
 *
 * - the store cannot be reached: the rows stay, in order, for the next flush (only the timer
 *   retries, so a store that is down is not hammered by every request); memory is capped at ten
 *   batches, beyond which new rows are dropped (the earliest evidence is kept);
 * - the store refuses a row it can reach: the batch is split until the refused row is found, the
 *   others are written, and only that row is dropped. One bad row must never hold back the rest.
 *
 * Every row lost, whatever the reason, is counted (`onLost`, the metric
 * `suyuan_audit_rows_lost_total{reason}`) and logged at error: a gap in the trail is an alarm.
 */
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

/** Why audit rows were lost. */
export const AUDIT_LOSSES = ['refused', 'buffer_full', 'unwritten_at_close'] as const;
export type AuditLoss = (typeof AUDIT_LOSSES)[number];

export interface AuditBufferOptions<Row extends object> {
  readonly store: Store;
  readonly table: string;
  readonly logger: Logger;
  /** Pending rows that trigger a write. Memory holds ten times this. */
  readonly maxBuffer: number;
  readonly onLost?: (rows: number, reason: AuditLoss) => void;
  /** What a log line says of a lost row (ids, never request content). */
  readonly describe?: (row: Row) => object;
}

export interface AuditBuffer<Row extends object> {
  readonly add: (row: Row) => void;
  /** Writes the pending rows now; rows the store could not be reached for stay pending. */
  readonly flush: () => Promise<void>;
  /** Counts and logs the rows still unwritten (at close, when the store stayed down). */
  readonly reportLost: () => void;
}

export function createAuditBuffer<Row extends object>(
  options: AuditBufferOptions<Row>,
): AuditBuffer<Row> {
  const { store, table, logger, maxBuffer } = options;
  const cap = maxBuffer * 10;
  let pending: Row[] = [];
  let inFlight = 0;
  let lastWriteFailed = false;
  let dropped = 0;
  let writes: Promise<void> = Promise.resolve();

  const lose = (rows: number, reason: AuditLoss, fields: object, message: string) => {
    options.onLost?.(rows, reason);
    logger.error({ ...fields, rows, reason }, message);
  };

  /** Writes `rows`, isolating the ones the store refuses; returns those it could not reach. */
  const insertIsolating = async (rows: readonly Row[]): Promise<Row[]> => {
    try {
      await store.insert(table, rows);
      return [];
    } catch (err) {
      if (!(await reachable(store))) return [...rows];
      const [row] = rows;
      if (rows.length === 1 && row) {
        const fields = { err, row: options.describe?.(row) };
        lose(1, 'refused', fields, 'audit rows lost: the store refused a row');
        return [];
      }
      const half = Math.ceil(rows.length / 2);
      const unreached = await insertIsolating(rows.slice(0, half));
      // Once the store is out of reach, the rest waits for the next flush untried.
      if (unreached.length > 0) return [...unreached, ...rows.slice(half)];
      return insertIsolating(rows.slice(half));
    }
  };

  const write = async (): Promise<void> => {
    reportDropped();
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    inFlight = rows.length;
    try {
      const unreached = await insertIsolating(rows);
      pending = [...unreached, ...pending];
      lastWriteFailed = unreached.length > 0;
      if (lastWriteFailed) {
        logger.error({ rows: pending.length }, 'audit write failed, rows kept for a retry');
      }
    } finally {
      inFlight = 0;
    }
  };

  const reportDropped = () => {
    if (dropped === 0) return;
    lose(dropped, 'buffer_full', { cap }, 'audit rows lost: the store was out of reach too long');
    dropped = 0;
  };

  // Writes run one after another, so a row is never written twice nor overtaken; the chain never
  // rejects, so the timer's flush cannot become an unhandled rejection.
  const flush = (): Promise<void> => {
    writes = writes
      .then(write)
      .catch((err: unknown) => logger.error({ err }, 'audit flush failed'));
    return writes;
  };

  return {
    add: (row) => {
      if (pending.length + inFlight >= cap) {
        if (dropped === 0) logger.error({ cap }, 'audit buffer full, dropping audit rows');
        dropped += 1;
        return;
      }
      pending.push(row);
      if (pending.length >= maxBuffer && inFlight === 0 && !lastWriteFailed) void flush();
    },
    flush,
    reportLost: () => {
      reportDropped();
      if (pending.length === 0) return;
      lose(
        pending.length,
        'unwritten_at_close',
        {},
        'audit rows lost: the store was out of reach at close',
      );
      pending = [];
    },
  };
}

const reachable = (store: Store): Promise<boolean> =>
  store.ping().then(
    () => true,
    () => false,
  );
