/**
 * The store reads whose id lists have no bound far below ID_CHUNK, driven with more than ID_CHUNK
 * ids (test/support/long-id-lists.ts): each answer must be whole, and where the read promises an
 * order, in it across the parts. Real chDB, a few rows per table. The EPCIS capture's reads are
 * in test/integration/ingest/epcis-store-facts-long.test.ts, the proofs' in
 * test/integration/common/proofs/long-evidence.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { ID_CHUNK } from '../../../../services/common/store/query-in-chunks.js';
import { createStoreRecallReads } from '../../../../services/common/trace/store-recall-reads.js';
import { findStates } from '../../../../services/common/warnings/compute-warnings.js';
import {
  findInputsOf,
  findPartyRegions,
  findProductions,
} from '../../../../services/common/warnings/signal-queries.js';
import { createEventIndex } from '../../../../services/ingest/event-index.js';
import { findNotices } from '../../../../services/recall/recall-queries.js';
import { recordWarningNotices } from '../../../../services/recall/warnings/warning-watch.js';
import { givenProductions, long, T } from '../../../support/long-id-lists.js';

describe('store reads over more than ID_CHUNK ids (chDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-long-id-lists-'));
  const store = createChdbStore({ path: dir });

  beforeAll(async () => {
    await givenProductions(store);
    await store.insert('derivations_by_output', [
      {
        input_batch_id: 'IN-1',
        output_batch_id: 'OUT-1',
        event_id: 'ev-o1',
        party: 'farm',
        quantity: 1,
        unit: 'kg',
        at: T(1),
      },
      {
        input_batch_id: 'IN-2',
        output_batch_id: 'OUT-2',
        event_id: 'ev-o2',
        party: 'dairy',
        quantity: 1,
        unit: 'kg',
        at: T(1),
      },
    ]);
    await store.insert('parties', [
      {
        party_id: 'farm',
        name: 'Farm',
        roles: ['submitter'],
        region: '110000',
        created_at: T(1),
        updated_at: T(1),
      },
      {
        party_id: 'dairy',
        name: 'Dairy',
        roles: ['submitter'],
        region: '310000',
        created_at: T(1),
        updated_at: T(1),
      },
    ]);
    await store.insert('recalls', [
      {
        recall_id: 'R-1',
        event_id: 'ev-r1',
        initiated_by: 'regulator',
        level: 2,
        mode: 'ORDERED',
        reason: 'x',
        root_batch_ids: ['B-1'],
        started_at: T(2),
        recorded_at: T(2),
      },
      {
        recall_id: 'R-2',
        event_id: 'ev-r2',
        initiated_by: 'regulator',
        level: 1,
        mode: 'ORDERED',
        reason: 'y',
        root_batch_ids: ['B-2'],
        started_at: T(3),
        recorded_at: T(3),
      },
    ]);
    await store.insert('recall_batches', [
      { batch_id: 'B-1', recall_id: 'R-1', event_id: 'ev-r1', at: T(2) },
      { batch_id: 'B-2', recall_id: 'R-2', event_id: 'ev-r2', at: T(3) },
      { batch_id: 'B-2', recall_id: 'R-1', event_id: 'ev-n1', at: T(3) },
    ]);
    await store.insert('recall_notices', [
      {
        notice_id: 'N-1',
        recall_id: 'R-1',
        recipient: 'farm',
        event_id: 'ev-n1',
        batches: '[]',
        actions: [],
        deadline: T(9),
        issued_at: T(4),
      },
      {
        notice_id: 'N-2',
        recall_id: 'R-2',
        recipient: 'dairy',
        event_id: 'ev-n2',
        batches: '[]',
        actions: [],
        deadline: T(9),
        issued_at: T(3),
      },
    ]);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the open recalls naming shipped batches, sorted across parts', async () => {
    const reads = createStoreRecallReads(store);
    const rows = await reads.openRecallsNaming(long('B-2', 'B-1'));
    expect(rows).toEqual([
      { batchId: 'B-1', recallId: 'R-1' },
      { batchId: 'B-2', recallId: 'R-1' },
      { batchId: 'B-2', recallId: 'R-2' },
    ]);
  });

  it('lists the notices of every recall listed, oldest first across parts', async () => {
    const rows = await findNotices(store, { recallIds: long('R-1', 'R-2') });
    expect(rows.map((row) => [row.noticeId, row.recipientName])).toEqual([
      ['N-2', 'Dairy'],
      ['N-1', 'Farm'],
    ]);
    expect(rows).toEqual(await findNotices(store, { recallIds: ['R-1', 'R-2'] }));
    expect(await findNotices(store, { recallIds: long('R-2'), recipient: 'farm' })).toEqual([]);
  });

  it("walks warnings' upstream, products, regions and states of every id", async () => {
    const edges = await findInputsOf(store, long('OUT-1', 'OUT-2'));
    expect(edges.map((edge) => edge.input).sort()).toEqual(['IN-1', 'IN-2']);
    const productions = await findProductions(store, long('OUT-2', 'OUT-1'));
    expect([...productions.keys()].sort()).toEqual(['OUT-1', 'OUT-2']);
    const regions = await findPartyRegions(store, long('farm', 'dairy'));
    expect(regions).toEqual(
      new Map([
        ['farm', '110000'],
        ['dairy', '310000'],
      ]),
    );
    await store.insert('warning_states', [
      { warning_id: 'W-1', change_id: 'c1', status: 'acknowledged', changed_by: 'reg', at: T(2) },
      { warning_id: 'W-2', change_id: 'c2', status: 'acknowledged', changed_by: 'reg', at: T(2) },
      { warning_id: 'W-2', change_id: 'c3', status: 'dismissed', changed_by: 'reg', at: T(3) },
    ]);
    const states = await findStates(store, long('W-1', 'W-2'));
    expect(states.get('W-1')?.map((change) => change.status)).toEqual(['acknowledged']);
    expect(states.get('W-2')?.map((change) => change.status)).toEqual([
      'acknowledged',
      'dismissed',
    ]);
  });

  it('finds parties and their identifiers, and indexed events, among many ids', async () => {
    await store.insert('party_identifiers', [
      { identifier: 'id-farm', party_id: 'farm', created_at: T(1) },
      { identifier: 'id-dairy', party_id: 'dairy', created_at: T(1) },
    ]);
    const parties = createPartyDirectory(store);
    expect([...(await parties.find(long('farm', 'dairy'))).keys()].sort()).toEqual([
      'dairy',
      'farm',
    ]);
    expect(await parties.findByIdentifier(long('id-farm', 'id-dairy'))).toEqual(
      new Map([
        ['id-farm', 'farm'],
        ['id-dairy', 'dairy'],
      ]),
    );
    await store.insert('event_index', [
      { event_id: 'ev-i1', body_hash: 'h1', party: 'farm', recorded_at: T(1) },
      { event_id: 'ev-i2', body_hash: 'h2', party: 'dairy', recorded_at: T(1) },
    ]);
    const indexed = await createEventIndex(store).find(long('ev-i1', 'ev-i2'));
    expect([...indexed.keys()].sort()).toEqual(['ev-i1', 'ev-i2']);
  });

  it('records a pushed warning for more regulators than one statement may carry, once', async () => {
    const now = new Date();
    await store.insert('inspections', [
      {
        batch_id: 'OUT-1',
        inspection_id: 'I-1',
        event_id: 'ev-i-fail',
        inspector: 'lab',
        kind: 'SUPERVISORY_SAMPLING',
        result: 'FAIL',
        findings: '[]',
        at: new Date(now.getTime() - 86_400_000).toISOString(),
      },
    ]);
    await store.insert(
      'parties',
      Array.from({ length: ID_CHUNK + 1 }, (_, i) => ({
        party_id: `reg-${i}`,
        name: `Regulator ${i}`,
        roles: ['regulator'],
        webhook_url: 'https://regulator.example/hook',
        created_at: T(1),
        updated_at: T(1),
      })),
    );
    const rule = {
      id: 'product-failures',
      signal: 'failure-rate-by-product',
      window: '30d',
      minSamples: 1,
      threshold: 0.5,
      level: 1,
    } as const;
    expect(await recordWarningNotices(store, [rule], now)).toBe(ID_CHUNK + 1);
    // The second round finds every notice recorded, in both parts.
    expect(await recordWarningNotices(store, [rule], now)).toBe(0);
  });
});
