/**
 * The active API keys of a store that other processes write too (distributed mode: a ClickHouse
 * server shared by every instance), kept in memory so that authenticating a request waits on no
 * store statement, and a burst of unknown keys costs the store one statement, not one a key.
 *
 * Every answer comes from a read of the keys begun at most `maxAgeMs` before it: a request that
 * finds the memory older waits for a fresh read, and one that finds it past half that age starts
 * one for the requests after it. A key this memory does not hold waits for a read begun after the
 * request arrived, so a key issued through another instance works at its first use. Such reads
 * are grouped (every request waiting when a read begins shares it) and begin at least `spacingMs`
 * apart, so a flood of bad keys asks the store at most once per `spacingMs`.
 *
 * A revocation holds on every instance once `maxAgeMs` has passed after it was stored: the
 * instance that revoked waits that long before it answers (`waitUntilReadEverywhere`), so "a
 * revoked key fails at once" holds from the answer on, in whichever instance the key is used.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../store/store.js';

/** How old a read of the keys an answer may come from: the bound on a revocation's spread. */
export const SHARED_KEYS_MAX_AGE_MS = 1_000;
/** The least time between the beginnings of two reads: what a flood of unknown keys costs. */
export const SHARED_KEYS_SPACING_MS = 100;
/**
 * How far back a read of changes looks before the last read began: rows are stamped by the clock
 * of the instance that wrote them, before the insert, so a row may arrive stamped earlier than a
 * read that missed it. Reading a minute back covers clocks and inserts that far apart; keys
 * change seldom, so the overlap costs little.
 */
const CHANGES_OVERLAP_MS = 60_000;

export interface SharedKeys {
  /** The party that holds this active key (by its hash), or undefined for an unknown or revoked one. */
  ownerOf(keyHash: string): Promise<string | undefined>;
  /** A key this process issued: known here at once. */
  issued(keyHash: string, partyId: string): void;
  /** A key this process revoked: refused here at once, and never taken back from a read. */
  revoked(keyHash: string): void;
  /** Resolves once every process that shares the store answers from a read begun after the call. */
  waitUntilReadEverywhere(): Promise<void>;
}

export interface SharedKeysOptions {
  readonly maxAgeMs?: number;
  readonly spacingMs?: number;
  readonly now?: () => number;
}

interface KeyRow {
  key_hash: string;
  party_id: string;
  revoked: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function createSharedKeys(store: Store, options: SharedKeysOptions = {}): SharedKeys {
  const maxAgeMs = options.maxAgeMs ?? SHARED_KEYS_MAX_AGE_MS;
  const spacingMs = options.spacingMs ?? SHARED_KEYS_SPACING_MS;
  const now = options.now ?? Date.now;
  const owners = new Map<string, string>();
  // A revoked key is never active again: once known revoked, no read (even one begun before the
  // revocation) brings it back.
  const revokedKeys = new Set<string>();
  /** When the newest read that completed began; -Infinity before the first. */
  let readBegunAt = -Infinity;
  let lastBegunAt = -Infinity;
  let waiting: Waiter[] = [];
  let reading = false;

  const apply = (rows: readonly KeyRow[]) => {
    for (const row of rows) {
      if (row.revoked) {
        revokedKeys.add(row.key_hash);
        owners.delete(row.key_hash);
      } else if (!revokedKeys.has(row.key_hash)) owners.set(row.key_hash, row.party_id);
    }
  };

  // The first read takes every active key; later ones the rows changed since.
  const readKeys = async () => {
    const first = readBegunAt === -Infinity;
    const rows = await store.query<KeyRow>(
      first
        ? 'SELECT key_hash, party_id, 0 AS revoked FROM api_keys FINAL WHERE revoked_at IS NULL'
        : `SELECT key_hash, party_id, revoked_at IS NOT NULL AS revoked FROM api_keys FINAL
           WHERE updated_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')`,
      first ? {} : { since: Math.floor(readBegunAt - CHANGES_OVERLAP_MS) },
    );
    apply(rows);
  };

  // One read at a time; every caller waiting when a read begins shares it.
  const drain = async () => {
    reading = true;
    while (waiting.length > 0) {
      const wait = lastBegunAt + spacingMs - now();
      if (wait > 0) await sleep(wait);
      const group = waiting;
      waiting = [];
      const begunAt = now();
      lastBegunAt = begunAt;
      try {
        await readKeys();
        readBegunAt = Math.max(readBegunAt, begunAt);
        for (const waiter of group) waiter.resolve();
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    reading = false;
  };

  /** Resolves once a read begun after this call has completed. */
  const readFromNow = () =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!reading) void drain();
    });

  return {
    async ownerOf(keyHash) {
      const age = now() - readBegunAt;
      const owner = owners.get(keyHash);
      if (owner !== undefined && age <= maxAgeMs) {
        // Fresh enough; refreshed ahead for the requests after this one. A failed read is
        // tried again by the next request that needs one, and fails that request then.
        if (age > maxAgeMs / 2 && !reading) readFromNow().catch(() => undefined);
        return owner;
      }
      await readFromNow();
      return owners.get(keyHash);
    },
    issued(keyHash, partyId) {
      if (!revokedKeys.has(keyHash)) owners.set(keyHash, partyId);
    },
    revoked(keyHash) {
      revokedKeys.add(keyHash);
      owners.delete(keyHash);
    },
    waitUntilReadEverywhere: () => sleep(maxAgeMs),
  };
}
