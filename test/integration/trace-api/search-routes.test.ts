import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { parseSearchQuery, searchBatches } from '../../../services/trace-api/search-routes.js';

const produced = (
  batchId: string,
  producer: string,
  productId: string,
  productName: string,
  at = '2026-11-20T08:00:00.000Z',
) => ({
  batch_id: batchId,
  event_id: `ev-${batchId}`,
  product_id: productId,
  product_name: productName,
  producer,
  operator: 'Wang Fang',
  quantity: 100,
  unit: 'kg',
  produced_at: at,
  recorded_at: at,
});

describe('batch search', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-search-'));
  let store: Store;

  beforeAll(async () => {
    store = createChdbStore({ path: join(dir, 'clickhouse') });
    await migrate(store, createLogger({ level: 'silent', pretty: false }));
    await store.insert('batches', [
      produced('RAW-1', 'farm-1', 'RAW-MILK', '生鲜乳 raw milk'),
      produced('RAW-2', 'farm-2', 'RAW-MILK', '生鲜乳 raw milk', '2026-11-21T08:00:00.000Z'),
      produced('WMP-1', 'plant-1', '06901234567892', '全脂乳粉 whole milk powder'),
      produced('GONE-1', 'plant-1', '06901234567892', '全脂乳粉 whole milk powder'),
    ]);
    await store.insert('retractions', [
      {
        target_event_id: 'ev-GONE-1',
        event_id: 'ev-r',
        party: 'plant-1',
        reason: 'mistake',
        at: '2026-11-20T10:00:00.000Z',
      },
    ]);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds batch ids by prefix, case-insensitively', async () => {
    const hits = await searchBatches(store, { text: 'raw-', limit: 20 });
    expect(hits.map((hit) => hit.batchId)).toEqual(['RAW-1', 'RAW-2']);
    expect(hits[0]).toMatchObject({
      product: { id: 'RAW-MILK', name: '生鲜乳 raw milk' },
      producer: 'farm-1',
      producedAt: expect.stringContaining('2026-11-20'),
    });
  });

  it('finds batches by product name or id, without retracted productions', async () => {
    expect(
      (await searchBatches(store, { text: 'MILK POWDER', limit: 20 })).map((h) => h.batchId),
    ).toEqual(['WMP-1']);
    expect((await searchBatches(store, { text: '乳粉', limit: 20 })).map((h) => h.batchId)).toEqual(
      ['WMP-1'],
    );
    expect(
      (await searchBatches(store, { text: '069012', limit: 20 })).map((h) => h.batchId),
    ).toEqual(['WMP-1']);
  });

  it('narrows to one producer and honours the limit', async () => {
    expect(
      (await searchBatches(store, { text: 'raw', limit: 20, producer: 'farm-2' })).map(
        (h) => h.batchId,
      ),
    ).toEqual(['RAW-2']);
    expect(await searchBatches(store, { text: 'raw', limit: 1 })).toHaveLength(1);
  });

  it('refuses an empty query and a bad limit', () => {
    expect(() => parseSearchQuery({ q: ' ' })).toThrow(/q:/);
    expect(() => parseSearchQuery({ q: 'x', limit: '0' })).toThrow(/limit:/);
    expect(parseSearchQuery({ q: ' RAW ' })).toEqual({ text: 'RAW', limit: 20 });
  });

  it('lists the newest batches without a query, narrowed and limited alike', async () => {
    expect(parseSearchQuery({ limit: '5' })).toEqual({ limit: 5 });
    const newest = await searchBatches(store, { limit: 20 });
    expect(newest.map((hit) => hit.batchId)).toEqual(['RAW-2', 'RAW-1', 'WMP-1']);
    expect(
      (await searchBatches(store, { limit: 20, producer: 'plant-1' })).map((h) => h.batchId),
    ).toEqual(['WMP-1']);
    expect(await searchBatches(store, { limit: 1 })).toHaveLength(1);
  });
});
