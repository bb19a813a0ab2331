/**
 * The party directory of a sole writer (embedded mode: one process holds chDB) answers every
 * authentication and party check from memory: a flood of unknown keys or party look-ups costs no
 * store statement, so it cannot slow other clients; and what it writes it knows at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';

let dir: string;
let store: Store;
let queries = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-parties-'));
  const chdb = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(chdb, createLogger({ level: 'silent', pretty: false }));
  store = {
    ...chdb,
    query: (sql, params) => {
      queries += 1;
      return chdb.query(sql, params);
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
