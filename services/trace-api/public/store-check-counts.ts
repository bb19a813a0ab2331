/**
 * The public checks counted across trace-API instances (distributed mode): every instance adds
 * what it counted to the shared store (`public_check_counts`, one row per code per flush), and
 * a code's count is the sum over every instance's rows, so a code copied onto packages sold in
 * several cities is counted whole whichever instance answered each scan.
 *
 * The page's read path stays cheap: a check is answered from memory — the code's totals as the
 * store last gave them, plus what this instance counted since — and the store is asked only for
 * a code this instance has not seen (one statement for all such codes of the moment, one per
 * ID_CHUNK codes past that: common/store/query-in-chunks.ts), and again,
 * in the background, for a code whose totals are older than the flush interval (others' checks
 * reach the store no faster). Flushes and those reads run one at a time, so totals read from the
 * store and the counts not yet written never overlap. The embedded platform, one process, keeps
 * its counts in LMDB (check-counts.ts) and asks its store nothing per check.
 */
import { queryInChunks } from '../../common/store/query-in-chunks.js';
import type { Store } from '../../common/store/store.js';
import {
  clientNetwork,
  reasonsOf,
  type CheckCounter,
  type CodeChecks,
  type SuspicionThresholds,
  type SuspiciousCode,
} from './check-counts.js';

/** Codes whose totals are kept in memory; the least recently read is dropped past it. */
const KEPT_CODES = 100_000;

interface Kept {
  /** Undefined: never checked anywhere, as of readAt. */
  readonly totals: CodeChecks | undefined;
  readonly readAt: number;
}

interface TotalsRow {
  readonly code: string;
  readonly total: string | number;
  readonly first: string | number;
  readonly last: string | number;
  readonly networks: string[];
}

const isoOf = (ms: string | number) => new Date(Number(ms)).toISOString();

const SUMS = `sum(checks) AS total,
  toUnixTimestamp64Milli(min(first_checked_at)) AS first,
  toUnixTimestamp64Milli(max(last_checked_at)) AS last,
  groupUniqArrayArray(networks) AS networks`;

export function createStoreCheckCounter(options: {
  readonly store: Store;
  readonly flushIntervalMs: number;
  readonly thresholds: SuspicionThresholds;
  readonly now?: () => Date;
  readonly onFlushError?: (error: unknown) => void;
}): CheckCounter {
  const { store, thresholds } = options;
  const now = options.now ?? (() => new Date());
  const kept = new Map<string, Kept>();
  // Counted since the last flush; then in flight while the flush writes them, until the totals
  // read back include them.
  let pending = new Map<string, CodeChecks>();
  let inFlight = new Map<string, CodeChecks>();
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.catch(() => undefined).then(task);
    queue = run;
    return run;
  };

  const combine = (
    a: CodeChecks | undefined,
    b: CodeChecks | undefined,
  ): CodeChecks | undefined => {
    if (!a || !b) return a ?? b;
    return {
      count: a.count + b.count,
      firstCheckedAt: a.firstCheckedAt < b.firstCheckedAt ? a.firstCheckedAt : b.firstCheckedAt,
      lastCheckedAt: a.lastCheckedAt > b.lastCheckedAt ? a.lastCheckedAt : b.lastCheckedAt,
      networks: [...new Set([...a.networks, ...b.networks])].slice(0, thresholds.networks),
    };
  };
  const current = (code: string) =>
    combine(combine(kept.get(code)?.totals, inFlight.get(code)), pending.get(code));

  const totalsOf = (row: TotalsRow): CodeChecks => ({
    count: Number(row.total),
    firstCheckedAt: isoOf(row.first),
    lastCheckedAt: isoOf(row.last),
    networks: row.networks.slice(0, thresholds.networks),
  });

  async function readTotals(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return;
    const rows = await queryInChunks<TotalsRow>(
      store,
      `SELECT code, ${SUMS} FROM public_check_counts
       WHERE code IN {codes:Array(String)} GROUP BY code`,
      'codes',
      codes,
    );
    const readAt = Date.now();
    const found = new Map(rows.map((row) => [row.code, row]));
    for (const code of codes) {
      const row = found.get(code);
      kept.delete(code); // set again last: the map's order is the order of reading
      kept.set(code, { readAt, totals: row && totalsOf(row) });
    }
    for (const code of kept.keys()) {
      if (kept.size <= KEPT_CODES) break;
      kept.delete(code);
    }
  }

  // Codes to read, gathered until the reading task runs: one statement for all of them.
  let wanted = new Set<string>();
  let reading: Promise<void> | undefined;
  const read = (code: string): Promise<void> => {
    wanted.add(code);
    reading ??= serially(async () => {
      const codes = [...wanted];
      wanted = new Set();
      reading = undefined;
      await readTotals(codes);
    });
    return reading;
  };

  const flush = () =>
    serially(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      inFlight = batch;
      pending = new Map();
      try {
        await store.insert(
          'public_check_counts',
          [...batch].map(([code, checks]) => ({
            code,
            checks: checks.count,
            first_checked_at: checks.firstCheckedAt,
            last_checked_at: checks.lastCheckedAt,
            networks: checks.networks,
          })),
        );
      } catch (error) {
        // Not written: counted again with what came meanwhile, and written next time.
        for (const [code, checks] of batch) pending.set(code, combine(checks, pending.get(code))!);
        inFlight = new Map();
        throw error;
      }
      try {
        await readTotals([...batch.keys()]);
      } catch (error) {
        // Written, but the totals are not read back: read them again at the next check.
        for (const code of batch.keys()) kept.delete(code);
        throw error;
      } finally {
        inFlight = new Map();
      }
    });

  const timer = setInterval(() => {
    flush().catch((error: unknown) => options.onFlushError?.(error));
  }, options.flushIntervalMs);
  timer.unref();

  return {
    async record(code, clientAddress) {
      const at = now().toISOString();
      const counted = { count: 1, firstCheckedAt: at, lastCheckedAt: at };
      const network = clientNetwork(clientAddress);
      pending.set(code, combine(pending.get(code), { ...counted, networks: [network] })!);
      const known = kept.get(code);
      if (!known) {
        // Unknown here: answered with the store's totals, or with this instance's alone when
        // the store does not answer (the page must not fail for a count).
        await read(code).catch((error: unknown) => options.onFlushError?.(error));
      } else if (Date.now() - known.readAt >= options.flushIntervalMs) {
        read(code).catch((error: unknown) => options.onFlushError?.(error));
      }
      // Defined: this check is pending, in flight, or in the totals read back after its flush.
      return current(code)!;
    },
    async suspicious(limit) {
      await flush();
      const rows = await store.query<TotalsRow>(
        `SELECT code, ${SUMS} FROM public_check_counts GROUP BY code
         HAVING total >= {checks:UInt64} OR length(networks) >= {networks:UInt32}
         ORDER BY last DESC, code LIMIT {limit:UInt32}`,
        { checks: thresholds.checks, networks: thresholds.networks, limit },
      );
      return rows.map((row): SuspiciousCode => {
        const checks = totalsOf(row);
        return {
          code: row.code,
          count: checks.count,
          firstCheckedAt: checks.firstCheckedAt,
          lastCheckedAt: checks.lastCheckedAt,
          networks: checks.networks.length,
          reasons: reasonsOf(checks, thresholds),
        };
      });
    },
    flush: () => flush(),
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
