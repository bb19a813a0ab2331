/**
 * Every public check counted per code (the batch it resolved to), so that the page can say how
 * often and since when a code was checked — a copied code shows — and regulators can list the
 * suspicious ones. A check costs no store statement: it is counted in memory (an LMDB read of
 * microseconds for a code not touched lately) and the counts are written in one LMDB transaction,
 * synced to disk, every flush interval. A crash loses at most the checks of the last interval;
 * a stop flushes them.
 *
 * Client networks (/24 for IPv4, /48 for IPv6, never the whole address) are kept per code only up
 * to the threshold that makes a code suspicious.
 */
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { open, type Database, type RootDatabase } from 'lmdb';

export interface SuspicionThresholds {
  /** Distinct client networks from which one code was checked. */
  readonly networks: number;
  /** Checks of one code. */
  readonly checks: number;
}

export interface CodeChecks {
  readonly count: number;
  readonly firstCheckedAt: string;
  readonly lastCheckedAt: string;
  /** Distinct client networks, up to the suspicion threshold. */
  readonly networks: readonly string[];
}

export type SuspicionReason = 'networks' | 'checks';

export interface SuspiciousCode extends Omit<CodeChecks, 'networks'> {
  readonly code: string;
  /** Distinct client networks seen, counted up to the threshold. */
  readonly networks: number;
  readonly reasons: SuspicionReason[];
}

export interface CheckCounter {
  /**
   * Counts a check of `code` from `clientAddress` now, and gives the counts with it: at once from
   * LMDB (embedded), after one shared store read for a code new to this instance (distributed).
   */
  record(code: string, clientAddress: string): CodeChecks | Promise<CodeChecks>;
  /** The suspicious codes, most recently checked first. */
  suspicious(limit: number): Promise<SuspiciousCode[]>;
  /** Writes the counts not yet written, and waits for the disk. */
  flush(): Promise<void>;
  /** Flushes, stops the timer and closes the file. */
  close(): Promise<void>;
}

/** The embedded platform's counter: every count is at hand, never a promise. */
export interface LocalCheckCounter extends CheckCounter {
  record(code: string, clientAddress: string): CodeChecks;
}

/** Where the check counts live, under the data directory. */
export const checkCountsPath = (dataDir: string): string => join(dataDir, 'public-checks');

/** The network a client address belongs to: its /24 (IPv4) or /48 (IPv6). */
export function clientNetwork(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') {
    return `${parsed.toByteArray().slice(0, 3).join('.')}.0/24`;
  }
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 3).map((part) => part.toString(16));
  return `${parts.join(':')}::/48`;
}

export function reasonsOf(checks: CodeChecks, thresholds: SuspicionThresholds): SuspicionReason[] {
  return [
    ...(checks.networks.length >= thresholds.networks ? (['networks'] as const) : []),
    ...(checks.count >= thresholds.checks ? (['checks'] as const) : []),
  ];
}

export function openCheckCounter(options: {
  readonly path: string;
  readonly flushIntervalMs: number;
  readonly thresholds: SuspicionThresholds;
  readonly now?: () => Date;
  readonly onFlushError?: (error: unknown) => void;
}): LocalCheckCounter {
  const now = options.now ?? (() => new Date());
  const root: RootDatabase = open({ path: options.path, maxDbs: 2 });
  const counts: Database<CodeChecks, string> = root.openDB({ name: 'counts' });
  // The codes that crossed a threshold, by code: the regulators' list, without a scan of every code.
  const flagged: Database<true, string> = root.openDB({ name: 'suspicious' });
  // Counted since the last flush; then in flight while the flush writes them (a check meanwhile
  // must read them: the file does not have them yet), then forgotten.
  let pending = new Map<string, CodeChecks>();
  let inFlight = new Map<string, CodeChecks>();
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    writing = writing
      .catch(() => undefined)
      .then(async () => {
        if (pending.size === 0) return;
        const batch = pending;
        inFlight = batch;
        pending = new Map();
        try {
          await root.transaction(() => {
            for (const [code, checks] of batch) {
              void counts.put(code, checks);
              if (reasonsOf(checks, options.thresholds).length > 0) void flagged.put(code, true);
            }
          });
        } catch (error) {
          // Not written: counted again with what came meanwhile, and written next time.
          for (const [code, checks] of batch) if (!pending.has(code)) pending.set(code, checks);
          throw error;
        } finally {
          inFlight = new Map();
        }
      });
    return writing;
  };
  const timer = setInterval(() => {
    flush().catch((error: unknown) => options.onFlushError?.(error));
  }, options.flushIntervalMs);
  timer.unref();

  const current = (code: string) => pending.get(code) ?? inFlight.get(code) ?? counts.get(code);

  return {
    record(code, clientAddress) {
      const at = now().toISOString();
      const before = current(code);
      const network = clientNetwork(clientAddress);
      const networks =
        !before || before.networks.includes(network)
          ? (before?.networks ?? [network])
          : [...before.networks, network];
      const checks: CodeChecks = {
        count: (before?.count ?? 0) + 1,
        firstCheckedAt: before?.firstCheckedAt ?? at,
        lastCheckedAt: at,
        networks: networks.slice(0, options.thresholds.networks),
      };
      pending.set(code, checks);
      return checks;
    },
    async suspicious(limit) {
      await flush();
      const found: SuspiciousCode[] = [];
      for (const code of flagged.getKeys({})) {
        const checks = counts.get(code);
        if (!checks) continue;
        const { networks, ...rest } = checks;
        found.push({
          code,
          ...rest,
          networks: networks.length,
          reasons: reasonsOf(checks, options.thresholds),
        });
      }
      return found.sort((a, b) => b.lastCheckedAt.localeCompare(a.lastCheckedAt)).slice(0, limit);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      await root.close();
    },
  };
}
