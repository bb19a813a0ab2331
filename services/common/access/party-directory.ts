import { SuyuanError } from '../errors.js';
import { queryInChunks } from '../store/query-in-chunks.js';
import type { Store } from '../store/store.js';
import { generateApiKey, generateWebhookSecret, hashApiKey, newKeyId } from './api-keys.js';
import { createSharedKeys, type SharedKeysOptions } from './shared-keys.js';

export const ROLES = ['submitter', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Party {
  readonly partyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly webhook: { readonly url: string; readonly secret: string | null } | null;
}

export interface NewParty {
  readonly partyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly webhook?: { readonly url: string; readonly secret?: string | undefined } | undefined;
  /** Canonical identifier keys (PGLN/GLN, 统一社会信用代码: epcis/party-identifiers.ts). */
  readonly identifiers?: readonly string[] | undefined;
  /**
   * Where the party is: its administrative division's six-digit GB/T 2260 code (330106). Warnings
   * count a batch under it when the production names no site region.
   */
  readonly region?: string | null | undefined;
}

interface PartyRow {
  party_id: string;
  name: string;
  roles: Role[];
  webhook_url: string | null;
  webhook_secret: string | null;
}

const toParty = (row: PartyRow): Party => ({
  partyId: row.party_id,
  name: row.name,
  roles: row.roles,
  webhook: row.webhook_url ? { url: row.webhook_url, secret: row.webhook_secret } : null,
});

/** Regulators (and admins) read every trace and recall; any other party only its own share. */
export function readsEverything(party: Party): boolean {
  return party.roles.includes('regulator') || party.roles.includes('admin');
}

export interface ApiKeyInfo {
  readonly keyId: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface PartyDirectory {
  /**
   * Creates the party with a first API key, returned once, and a webhook signing secret when it
   * has a webhook but brought no secret (also returned once). Throws `conflict` if it exists.
   */
  create(
    party: NewParty,
  ): Promise<{ partyId: string; apiKey: string; keyId: string; webhookSecret?: string }>;
  /** A further API key for the party (rotation: issue a new one, then revoke the old). */
  issueKey(partyId: string): Promise<{ partyId: string; keyId: string; apiKey: string }>;
  /**
   * Revokes a key: once this answers, the key fails in every instance (with a shared store the
   * answer waits about a second, until every instance's keys were read after the revocation).
   * Throws `not_found` for a key the party does not have.
   */
  revokeKey(partyId: string, keyId: string): Promise<void>;
  /** The party's keys, without secrets. */
  listKeys(partyId: string): Promise<ApiKeyInfo[]>;
  /** The party an API key belongs to, or undefined for an unknown or revoked key. */
  authenticate(apiKey: string): Promise<Party | undefined>;
  /** The parties among `partyIds` that exist. */
  find(partyIds: readonly string[]): Promise<Map<string, Party>>;
  /**
   * Changes (or with null clears) the party's registered region; throws `not_found` for an
   * unknown party. Kept in the store only: the warnings read it there, and the party as
   * authenticated (`Party`) does not carry it.
   */
  setRegion(partyId: string, region: string | null): Promise<void>;
  /** The parties that registered each of these identifier keys. */
  findByIdentifier(identifiers: readonly string[]): Promise<Map<string, string>>;
  /**
   * Calls `listener` with the id of each party this directory registers, once stored (answers
   * kept with a party's name unknown then change); returns the function that stops it.
   */
  watchRegistered(listener: (partyId: string) => void): () => void;
  /** Registers a party the platform itself acts as (no API key), unless it exists. */
  ensureSystemParty(partyId: string, name: string): Promise<void>;
  /**
   * Makes sure an admin can sign in: registers `adminKey` when given, otherwise generates a key
   * the first time no admin exists and returns it (to be printed once).
   */
  ensureAdmin(adminKey: string | undefined): Promise<string | undefined>;
}

export const ADMIN_PARTY_ID = 'admin';

/** Parties (and keys) kept in memory at most; past it the oldest remembered go first. */
const REMEMBERED_LIMIT = 100_000;

function remember<V>(memory: Map<string, V>, key: string, value: V): void {
  memory.set(key, value);
  if (memory.size > REMEMBERED_LIMIT) memory.delete(memory.keys().next().value as string);
}

export interface PartyDirectoryOptions {
  /**
   * This process is the only one that writes parties and keys: true for chDB, whose data directory
   * one process holds. The directory then keeps every party and active key in memory, loaded
   * once, so authentication and party checks never wait on a store statement — an unknown key is
   * refused, and a burst of bad keys or denied reads costs other clients nothing. With a shared
   * ClickHouse server other instances issue and revoke keys too: the active keys are kept in
   * memory read again at most a second old (shared-keys.ts), and a revocation answers once every
   * instance refuses the key.
   */
  readonly soleWriter?: boolean;
  /** How the shared keys are kept fresh (tests shorten the bounds); not used by a sole writer. */
  readonly sharedKeys?: SharedKeysOptions;
}

export function createPartyDirectory(
  store: Store,
  options: PartyDirectoryOptions = {},
): PartyDirectory {
  let creating: Promise<unknown> = Promise.resolve();
  // Key hash → its party: every active key when this process is the sole writer. A revocation
  // forgets it first.
  const keyOwners = new Map<string, Party>();
  // A party, once registered, never changes what a Party holds (its region may change, and is
  // kept out of it), so a party found stays true and every request's party check need not ask the
  // store again. Misses are not kept unless this process is the sole writer: a party registered
  // through another instance is found at once.
  const known = new Map<string, Party>();
  const soleWriter = options.soleWriter === true;
  const sharedKeys = soleWriter ? undefined : createSharedKeys(store, options.sharedKeys);
  let loading: Promise<void> | undefined;
  /** Loads every party and active key, once, for a sole writer. */
  const loaded = () =>
    (loading ??= (async () => {
      const parties = await store.query<PartyRow>(
        'SELECT party_id, name, roles, webhook_url, webhook_secret FROM parties FINAL',
      );
      for (const row of parties) known.set(row.party_id, toParty(row));
      const keys = await store.query<{ key_hash: string; party_id: string }>(
        'SELECT key_hash, party_id FROM api_keys FINAL WHERE revoked_at IS NULL',
      );
      for (const key of keys) {
        const party = known.get(key.party_id);
        if (party) keyOwners.set(key.key_hash, party);
      }
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

  const find = async (partyIds: readonly string[]) => {
    if (soleWriter) {
      await loaded();
      return new Map(
        partyIds.flatMap((id) => (known.has(id) ? [[id, known.get(id) as Party]] : [])),
      );
    }
    const found = new Map<string, Party>();
    const missing = new Set<string>();
    for (const id of partyIds) {
      const party = known.get(id);
      if (party) found.set(id, party);
      else missing.add(id);
    }
    if (missing.size === 0) return found;
    const rows = await queryInChunks<PartyRow>(
      store,
      `SELECT party_id, name, roles, webhook_url, webhook_secret
       FROM parties FINAL WHERE party_id IN {ids:Array(String)}`,
      'ids',
      [...missing],
    );
    for (const row of rows) {
      const party = toParty(row);
      found.set(party.partyId, party);
      remember(known, party.partyId, party);
    }
    return found;
  };

  const insertKey = async (partyId: string, apiKey: string): Promise<string> => {
    const now = new Date().toISOString();
    const keyId = newKeyId();
    const keyHash = hashApiKey(apiKey);
    await store.insert('api_keys', [
      {
        key_hash: keyHash,
        key_id: keyId,
        party_id: partyId,
        created_at: now,
        revoked_at: null,
        updated_at: now,
      },
    ]);
    const owner = known.get(partyId);
    if (soleWriter && owner) keyOwners.set(keyHash, owner);
    sharedKeys?.issued(keyHash, partyId);
    return keyId;
  };

  const registered = new Set<(partyId: string) => void>();
  const insertParty = async (party: NewParty) => {
    const now = new Date().toISOString();
    await store.insert('parties', [
      {
        party_id: party.partyId,
        name: party.name,
        roles: party.roles,
        webhook_url: party.webhook?.url ?? null,
        webhook_secret: party.webhook?.secret ?? null,
        region: party.region ?? null,
        created_at: now,
        updated_at: now,
      },
    ]);
    if (soleWriter) {
      const { partyId, name, roles, webhook } = party;
      const secret = webhook?.secret ?? null;
      known.set(partyId, {
        partyId,
        name,
        roles,
        webhook: webhook ? { url: webhook.url, secret } : null,
      });
    }
    for (const listener of registered) listener(party.partyId);
  };

  // Creations run one at a time so two concurrent requests for one id cannot both succeed.
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = creating.then(work, work);
    creating = next.catch(() => undefined);
    return next;
  };

  const findByIdentifier = async (identifiers: readonly string[]) => {
    if (identifiers.length === 0) return new Map<string, string>();
    const rows = await queryInChunks<{ identifier: string; party_id: string }>(
      store,
      `SELECT identifier, party_id FROM party_identifiers FINAL
       WHERE identifier IN {ids:Array(String)}`,
      'ids',
      identifiers,
    );
    return new Map(rows.map((row) => [row.identifier, row.party_id]));
  };

  const checkIdentifiersFree = async (party: NewParty) => {
    const [taken] = await findByIdentifier(party.identifiers ?? []);
    if (taken) {
      throw new SuyuanError('conflict', `identifiers: ${taken[0]} is party ${taken[1]}'s already`);
    }
  };

  const insertIdentifiers = async (party: NewParty) => {
    const identifiers = [...new Set(party.identifiers ?? [])];
    const now = new Date().toISOString();
    await store.insert(
      'party_identifiers',
      identifiers.map((identifier) => ({ identifier, party_id: party.partyId, created_at: now })),
    );
  };

  return {
    watchRegistered(listener) {
      registered.add(listener);
      return () => registered.delete(listener);
    },
    create: (party) =>
      serialized(async () => {
        if ((await find([party.partyId])).size > 0) {
          throw new SuyuanError('conflict', `partyId: party ${party.partyId} already exists`);
        }
        await checkIdentifiersFree(party);
        const generatedSecret =
          party.webhook && !party.webhook.secret ? generateWebhookSecret() : undefined;
        await insertParty(
          generatedSecret && party.webhook
            ? { ...party, webhook: { url: party.webhook.url, secret: generatedSecret } }
            : party,
        );
        await insertIdentifiers(party);
        const apiKey = generateApiKey();
        const keyId = await insertKey(party.partyId, apiKey);
        return {
          partyId: party.partyId,
          apiKey,
          keyId,
          ...(generatedSecret ? { webhookSecret: generatedSecret } : {}),
        };
      }),

    issueKey: (partyId) =>
      serialized(async () => {
        if ((await find([partyId])).size === 0) {
          throw new SuyuanError('not_found', `partyId: no party ${partyId}`);
        }
        const apiKey = generateApiKey();
        return { partyId, keyId: await insertKey(partyId, apiKey), apiKey };
      }),

    revokeKey: async (partyId, keyId) => {
      await serialized(async () => {
        const [key] = await store.query<{ key_hash: string; created_at: string }>(
          `SELECT key_hash, created_at FROM api_keys FINAL
           WHERE party_id = {party:String} AND key_id = {key:String} AND revoked_at IS NULL`,
          { party: partyId, key: keyId },
        );
        if (!key)
          throw new SuyuanError('not_found', `keyId: party ${partyId} has no active key ${keyId}`);
        const now = new Date().toISOString();
        // A newer version of the row; ReplacingMergeTree(updated_at) and FINAL make it the one read.
        await store.insert('api_keys', [
          { ...key, key_id: keyId, party_id: partyId, revoked_at: now, updated_at: now },
        ]);
        keyOwners.delete(key.key_hash);
        sharedKeys?.revoked(key.key_hash);
      });
      // Outside the creations' turn: the wait holds no one else up.
      await sharedKeys?.waitUntilReadEverywhere();
    },

    listKeys: (partyId) =>
      store.query<ApiKeyInfo>(
        `SELECT key_id AS keyId, created_at AS createdAt, revoked_at AS revokedAt
         FROM api_keys FINAL WHERE party_id = {party:String} ORDER BY created_at`,
        { party: partyId },
      ),

    async authenticate(apiKey) {
      const hash = hashApiKey(apiKey);
      if (soleWriter) {
        await loaded();
        return keyOwners.get(hash);
      }
      const partyId = await sharedKeys?.ownerOf(hash);
      return partyId === undefined ? undefined : (await find([partyId])).get(partyId);
    },

    setRegion: (partyId, region) =>
      serialized(async () => {
        const [row] = await store.query<Record<string, unknown>>(
          `SELECT party_id, name, roles, webhook_url, webhook_secret, created_at
           FROM parties FINAL WHERE party_id = {party:String}`,
          { party: partyId },
        );
        if (!row) throw new SuyuanError('not_found', `partyId: no party ${partyId}`);
        // A newer version of the row; ReplacingMergeTree(updated_at) and FINAL make it the one read.
        await store.insert('parties', [{ ...row, region, updated_at: new Date().toISOString() }]);
      }),

    find,
    findByIdentifier,

    ensureSystemParty: (partyId, name) =>
      serialized(async () => {
        if ((await find([partyId])).size === 0) await insertParty({ partyId, name, roles: [] });
      }),

    ensureAdmin: (adminKey) =>
      serialized(async () => {
        const admin = (await find([ADMIN_PARTY_ID])).get(ADMIN_PARTY_ID);
        if (!admin)
          await insertParty({ partyId: ADMIN_PARTY_ID, name: 'Administrator', roles: ['admin'] });
        if (adminKey) {
          const [known] = await store.query<{ n: number }>(
            `SELECT count() AS n FROM api_keys FINAL WHERE key_hash = {hash:String}`,
            { hash: hashApiKey(adminKey) },
          );
          if (!known || known.n === 0) await insertKey(ADMIN_PARTY_ID, adminKey);
          return undefined;
        }
        if (admin) return undefined;
        const generated = generateApiKey();
        await insertKey(ADMIN_PARTY_ID, generated);
        return generated;
      }),
  };
}
