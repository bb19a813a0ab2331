/**
 * The party directory of a sole writer (embedded mode: one process holds chDB) answers every
 * authentication and party check from memory: a flood of unknown keys or party look-ups costs no
 * store statement, so it cannot slow other clients; and what it writes it knows at once.
 *
 * Directories that share the store with other instances (distributed mode) keep the active keys in
 * memory too, read again at most a set age old: a key issued elsewhere works at its first use, a
 * revocation holds everywhere once it has answered, and a flood of unknown keys costs the store a
 * read per spacing, not one a key. Here the instances are directories over one chDB store, which
 * stands for the shared ClickHouse server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../../services/common/access/api-keys.js';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import { createSharedKeys } from '../../../../services/common/access/shared-keys.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';
import { pollUntil } from '../../../support/poll.js';

let dir: string;
let store: Store;
let queries = 0;
/** While set, a read of changed keys (not the first load) waits for it after its statement. */
let changedKeysGate: Promise<void> | undefined;
let readsHeld = 0;

async function holdAt<T>(gate: Promise<void>, rows: Promise<T>): Promise<T> {
  const read = await rows;
  readsHeld += 1;
  await gate;
  return read;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-parties-'));
  const chdb = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(chdb, createLogger({ level: 'silent', pretty: false }));
  store = {
    ...chdb,
    query: <Row>(sql: string, params?: Readonly<Record<string, unknown>>) => {
      queries += 1;
      const rows = chdb.query<Row>(sql, params);
      const gate = changedKeysGate;
      return gate && sql.includes('updated_at >=') ? holdAt(gate, rows) : rows;
    },
  };
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a sole writer party directory', () => {
  it('authenticates, refuses and finds from memory once loaded, and sees its own writes at once', async () => {
    const before = createPartyDirectory(store, { soleWriter: true });
    const { apiKey: farmKey } = await before.create({
      partyId: 'farm-1',
      name: 'Farm',
      roles: ['submitter'],
    });

    // A second directory over the same data (a restart) loads what the first wrote.
    const directory = createPartyDirectory(store, { soleWriter: true });
    expect((await directory.authenticate(farmKey))?.partyId).toBe('farm-1');
    const loadedWith = queries;

    for (let i = 0; i < 200; i += 1) {
      expect(await directory.authenticate(`sy_unknown_${i}`)).toBeUndefined();
      expect((await directory.find(['farm-1', `nobody-${i}`])).size).toBe(1);
    }
    expect((await directory.authenticate(farmKey))?.partyId).toBe('farm-1');
    expect(queries).toBe(loadedWith);

    const { apiKey: shopKey } = await directory.create({
      partyId: 'shop-1',
      name: 'Shop',
      roles: ['submitter'],
    });
    expect((await directory.authenticate(shopKey))?.partyId).toBe('shop-1');
    const [key] = await directory.listKeys('shop-1');
    await directory.revokeKey('shop-1', key?.keyId ?? '');
    expect(await directory.authenticate(shopKey)).toBeUndefined();
  });
});

describe("a party's registered region", () => {
  const regionOf = async (partyId: string) =>
    (
      await store.query<{ region: string | null }>(
        'SELECT region FROM parties FINAL WHERE party_id = {id:String}',
        { id: partyId },
      )
    )[0]?.region;

  it('is stored at registration and changed or cleared later, the rest of the party kept', async () => {
    const directory = createPartyDirectory(store, { soleWriter: true });
    const { apiKey } = await directory.create({
      partyId: 'plant-r',
      name: 'Plant',
      roles: ['submitter'],
      webhook: { url: 'https://plant.example/hook', secret: undefined },
      region: '330106',
    });
    expect(await regionOf('plant-r')).toBe('330106');
    await directory.setRegion('plant-r', '330110');
    expect(await regionOf('plant-r')).toBe('330110');
    await directory.setRegion('plant-r', null);
    expect(await regionOf('plant-r')).toBeNull();
    // A restart reads the party as it was registered: name, roles, webhook and key.
    const restarted = createPartyDirectory(store, { soleWriter: true });
    expect(await restarted.authenticate(apiKey)).toMatchObject({
      partyId: 'plant-r',
      name: 'Plant',
      roles: ['submitter'],
      webhook: { url: 'https://plant.example/hook' },
    });
    expect((await restarted.authenticate(apiKey))?.webhook?.secret).toMatch(/^whsec_/);
    await expect(directory.setRegion('nobody', '330106')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('party directories sharing their store', () => {
  const bounds = { maxAgeMs: 400, spacingMs: 20 };

  it('know a key issued through another at its first use, and refuse a revoked one everywhere once the revocation answers', async () => {
    const admin = createPartyDirectory(store, { sharedKeys: bounds });
    const other = createPartyDirectory(store, { sharedKeys: bounds });
    const { apiKey: first, keyId } = await admin.create({
      partyId: 'farm-s',
      name: 'Farm',
      roles: ['submitter'],
    });
    expect((await other.authenticate(first))?.partyId).toBe('farm-s');
    const { apiKey: second } = await admin.issueKey('farm-s');
    expect((await other.authenticate(second))?.partyId).toBe('farm-s');

    // The other instance has just read the first key as active; the revocation answers once that
    // read is too old to answer from.
    expect((await other.authenticate(first))?.partyId).toBe('farm-s');
    await admin.revokeKey('farm-s', keyId);
    expect(await other.authenticate(first)).toBeUndefined();
    expect(await admin.authenticate(first)).toBeUndefined();
    expect((await other.authenticate(second))?.partyId).toBe('farm-s');
  });

  it('answer a flood of unknown keys with one read of the store, and known keys from memory', async () => {
    const directory = createPartyDirectory(store, {
      sharedKeys: { maxAgeMs: 60_000, spacingMs: 50 },
    });
    const { apiKey } = await directory.create({ partyId: 'shop-s', name: 'Shop', roles: [] });
    expect((await directory.authenticate(apiKey))?.partyId).toBe('shop-s');

    const before = queries;
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) => directory.authenticate(`sy_flood_${i}`)),
    );
    expect(answers.every((party) => party === undefined)).toBe(true);
    // The first unknown key's read, and one read shared by all the others.
    expect(queries - before).toBeLessThanOrEqual(2);

    const known = queries;
    for (let i = 0; i < 200; i += 1)
      expect((await directory.authenticate(apiKey))?.partyId).toBe('shop-s');
    expect(queries).toBe(known);
  });

  it('space the reads that unknown keys one after another prompt', async () => {
    const directory = createPartyDirectory(store, {
      sharedKeys: { maxAgeMs: 60_000, spacingMs: 50 },
    });
    await directory.authenticate('sy_load_first');
    const started = performance.now();
    for (let i = 0; i < 5; i += 1) await directory.authenticate(`sy_one_by_one_${i}`);
    // Five reads, each begun at least the spacing after the one before.
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * 50 - 5);
  });

  it('never take back a revocation of their own from a read begun before it', async () => {
    const keys = createSharedKeys(store, { maxAgeMs: 60_000, spacingMs: 0 });
    const hash = hashApiKey('sy_raced');
    const row = (revokedAt: string | null) => {
      const at = new Date().toISOString();
      return {
        key_hash: hash,
        key_id: 'k-raced',
        party_id: 'raced',
        created_at: at,
        revoked_at: revokedAt,
        updated_at: at,
      };
    };
    await store.insert('api_keys', [row(null)]);
    expect(await keys.ownerOf(hash)).toBe('raced');

    // A read of the changes takes its statement, while the key is active, and is held.
    let release!: () => void;
    changedKeysGate = new Promise((resolve) => (release = resolve));
    const heldBefore = readsHeld;
    const held = keys.ownerOf(hashApiKey('sy_someone_else'));
    await pollUntil(() => readsHeld > heldBefore, { what: 'the read held after its statement' });
    await store.insert('api_keys', [row(new Date().toISOString())]);
    keys.revoked(hash);
    changedKeysGate = undefined;
    release();
    await held;
    expect(await keys.ownerOf(hash)).toBeUndefined();
  });
});
