/**
 * The store reads whose id lists have no bound far below ID_CHUNK, driven with more than ID_CHUNK
 * ids: made-up ones that match nothing, with the ids that match rows placed in both parts (the
 * first id in the first part, the rest after ID_CHUNK made-up ones). Each answer must be whole,
 * and the same as for the matching ids alone. Real chDB, a few rows per table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import type { EpcisEvent } from '../../../../services/common/epcis/epcis-event.js';
import { parseGs1Uri } from '../../../../services/common/epcis/gs1-uri.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import { CHECKPOINT_ORIGIN } from '../../../../services/common/proofs/checkpoint.js';
import { writeCheckpoint } from '../../../../services/common/proofs/checkpoint-store.js';
import { evidenceFor } from '../../../../services/common/proofs/evidence.js';
import { findLeaves, readNodes } from '../../../../services/common/proofs/proof-store.js';
import { appendToTree } from '../../../../services/common/proofs/tree-append.js';
import { EVENTS_TOPIC } from '../../../../services/common/topics.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import { ID_CHUNK } from '../../../../services/common/store/query-in-chunks.js';
import { createStoreRecallReads } from '../../../../services/common/trace/store-recall-reads.js';
import { findStates } from '../../../../services/common/warnings/compute-warnings.js';
import {
  findInputsOf,
  findPartyRegions,
  findProductions,
} from '../../../../services/common/warnings/signal-queries.js';
import {
  fetchStoreFacts,
  type IdentifiedEvent,
} from '../../../../services/ingest/epcis/store-facts.js';
import {
  productionFacts,
  transformationOutputFacts,
} from '../../../../services/ingest/epcis/store-productions.js';
import { createEventIndex } from '../../../../services/ingest/event-index.js';
import { findNotices } from '../../../../services/recall/recall-queries.js';
import { recordWarningNotices } from '../../../../services/recall/warnings/warning-watch.js';
import { sampleEvents } from '../../../support/sample-events.js';

const T = (day: number) => `2026-11-${String(day).padStart(2, '0')}T08:00:00.000Z`;

const padding = Array.from({ length: ID_CHUNK }, (_, i) => `pad-${i}`);
/** `first` in the first part of ID_CHUNK ids, `rest` in the second. */
const long = (first: string, ...rest: string[]) => [first, ...padding, ...rest];

const produced = (batchId: string, eventId: string, producer: string) => ({
  batch_id: batchId,
  event_id: eventId,
  product_id: `gtin-${batchId}`,
  product_name: `product ${batchId}`,
  producer,
  quantity: 10,
  unit: 'kg',
  produced_at: T(1),
  recorded_at: T(1),
});

const producedEvent = (batchId: string, eventId: string, producer: string) => ({
  event_id: eventId,
  event_type: 'BatchProduced',
  event_time: T(1),
  recorded_at: T(1),
  party: producer,
  payload: JSON.stringify({
    eventId,
    eventType: 'BatchProduced',
    eventTime: T(1),
    party: producer,
    batchId,
    product: { id: `gtin-${batchId}`, name: `product ${batchId}` },
    quantity: 10,
    unit: 'kg',
    inputs: [],
  }),
});

const sscc = (serial: number) => `urn:epc:id:sscc:0614141.${String(serial).padStart(10, '0')}`;

describe('store reads over more than ID_CHUNK ids (chDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-long-id-lists-'));
  const store = createChdbStore({ path: dir });

  beforeAll(async () => {
    await migrate(store, createLogger({ level: 'silent', pretty: false }));
    await store.insert('batches', [
      produced('OUT-1', 'ev-o1', 'farm'),
      produced('OUT-2', 'ev-o2', 'dairy'),
    ]);
    await store.insert('events', [
      producedEvent('OUT-1', 'ev-o1', 'farm'),
      producedEvent('OUT-2', 'ev-o2', 'dairy'),
    ]);
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

  it('reads the leaves and tree nodes of a proof of many events', async () => {
    await store.insert('proof_leaves', [
      { event_id: 'ev-l1', partition: 0, leaf_index: 0, log_offset: 0 },
      { event_id: 'ev-l2', partition: 0, leaf_index: ID_CHUNK + 1, log_offset: ID_CHUNK + 1 },
    ]);
    const leaves = await findLeaves(store, long('ev-l1', 'ev-l2'));
    expect([...leaves.keys()].sort()).toEqual(['ev-l1', 'ev-l2']);
    await store.insert('proof_nodes', [
      { partition: 0, level: 0, node_index: 0, hash: 'aa' },
      { partition: 0, level: 0, node_index: ID_CHUNK + 1, hash: 'bb' },
    ]);
    const nodes = Array.from({ length: ID_CHUNK + 2 }, (_, index) => ({ level: 0, index }));
    const found = await readNodes(store, 0, nodes);
    expect(found.size).toBe(2);
    expect([...found.values()].sort()).toEqual(['aa', 'bb']);
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

  it('gathers what an EPCIS capture of many identifiers needs from the store', async () => {
    const named = (ids: readonly string[]): IdentifiedEvent => ({
      event: {
        type: 'ObjectEvent',
        epcList: ids.map((id) => `urn:suyuan:batch:${id}`),
      } as EpcisEvent,
      epcisEventId: 'E-named',
    });
    const productions = await productionFacts(store, [named(long('OUT-1', 'OUT-2'))]);
    expect([...productions.keys()].sort()).toEqual(['OUT-1', 'OUT-2']);

    await store.insert('epcis_events', [
      {
        epcis_event_id: 'E-t1',
        event_id: 'ev-o1',
        transformation_id: 'T-1',
        derived_event_ids: ['ev-o1'],
      },
      {
        epcis_event_id: 'E-t2',
        event_id: 'ev-o2',
        transformation_id: 'T-2',
        derived_event_ids: ['ev-o2'],
      },
    ]);
    const outputs = await transformationOutputFacts(store, long('T-1', 'T-2'));
    expect([...outputs].map(([id, made]) => [id, made.map((p) => p.batchId)]).sort()).toEqual([
      ['T-1', ['OUT-1']],
      ['T-2', ['OUT-2']],
    ]);

    // Every read of fetchStoreFacts, each over more than ID_CHUNK ids: made-up events first.
    const container = sscc(ID_CHUNK + 7);
    const containerId = parseGs1Uri(container)!.canonical;
    await store.insert('epcis_containment', [
      {
        parent: containerId,
        child: 'urn:x:box',
        action: 'ADD',
        at: T(2),
        epcis_event_id: 'E-pack',
        event_id: '',
      },
    ]);
    await store.insert('epcis_transformation_inputs', [
      {
        transformation_id: 'T-2',
        batch_id: 'IN-2',
        quantity: 1,
        unit: 'kg',
        epcis_event_id: 'E-t2',
        event_id: 'ev-o2',
      },
      {
        transformation_id: 'T-1',
        batch_id: 'IN-1',
        quantity: 1,
        unit: 'kg',
        epcis_event_id: 'E-t1',
        event_id: 'ev-o1',
      },
    ]);
    await store.insert('shipments', [
      {
        batch_id: 'OUT-1',
        shipment_id: 'E-recv',
        event_id: 'ev-s1',
        from_party: 'farm',
        to_party: 'dairy',
        quantity: 1,
        unit: 'kg',
        shipped_at: T(2),
      },
    ]);
    const event = (i: number, extra: Record<string, unknown> = {}): IdentifiedEvent => ({
      event: {
        type: 'ObjectEvent',
        bizStep: 'receiving',
        epcList: [sscc(i)],
        transformationID: `T-pad-${i}`,
        sourceList: [{ type: 'owning_party', source: `urn:x:party:pad-${i}` }],
        errorDeclaration: { declarationTime: T(5) },
        ...extra,
      } as EpcisEvent,
      epcisEventId: `E-pad-${i}`,
    });
    const events = [
      event(0, { transformationID: 'T-1' }),
      ...Array.from({ length: ID_CHUNK }, (_, i) => event(i + 1)),
      {
        ...event(ID_CHUNK + 7, {
          transformationID: 'T-2',
          sourceList: [{ type: 'owning_party', source: 'id-dairy' }],
        }),
        epcisEventId: 'E-recv',
      },
      { ...event(ID_CHUNK + 8), epcisEventId: 'E-t2' },
    ];
    const facts = await fetchStoreFacts(store, createPartyDirectory(store), events);
    expect(facts.containment).toEqual([expect.objectContaining({ parent: containerId })]);
    expect([...facts.transformationInputs.keys()]).toEqual(['T-1', 'T-2']);
    expect([...facts.transformationOutputs.keys()].sort()).toEqual(['T-1', 'T-2']);
    expect(facts.partyByIdentifier).toEqual(new Map([['id-dairy', 'dairy']]));
    expect(facts.shippers).toEqual(new Map([['E-recv', 'farm']]));
    expect(facts.originals.get('E-t2')).toEqual({ party: '', derivedEventIds: ['ev-o2'] });
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

  it('gives the evidence for more events than one statement may carry', async () => {
    const logger = createLogger({ level: 'silent', pretty: false });
    const log = createEventLog({ kind: 'embedded', path: join(dir, 'log.db') }, logger);
    const codec = createEventCodec();
    const sample = sampleEvents()[0]!;
    const ids = Array.from({ length: ID_CHUNK + 1 }, (_, i) => `ev-proof-${i}`);
    try {
      await log.ensureTopic(EVENTS_TOPIC);
      await log.append(
        EVENTS_TOPIC,
        ids.map((eventId) => ({ key: 'B-proof', value: codec.encode({ ...sample, eventId }) })),
      );
      const records = await log.read(EVENTS_TOPIC, {
        partition: 0,
        fromOffset: 0,
        maxRecords: ids.length,
      });
      const head = (await appendToTree({ store, codec }, 0, records))!;
      await writeCheckpoint(store, {
        body: {
          origin: CHECKPOINT_ORIGIN,
          log: EVENTS_TOPIC,
          issuedAt: T(9),
          keyId: 'k',
          trees: [{ partition: 0, size: head.size, rootHash: head.root }],
        },
        signature: '',
      });
      // The store holds the first and the last event (one in each part of the read).
      await store.insert('events', [
        { ...producedEvent('B-proof', ids[0]!, 'plant-1') },
        { ...producedEvent('B-proof', ids.at(-1)!, 'plant-1') },
      ]);
      const evidence = await evidenceFor({ store, log }, ids);
      expect(evidence.proofs.map((proof) => proof.eventId)).toEqual(ids);
      expect(
        evidence.proofs.every((proof) => proof.record !== '' && proof.auditPath.length > 0),
      ).toBe(true);
      expect(
        evidence.proofs.flatMap((proof) => (proof.event ? [proof.event.eventId] : [])),
      ).toEqual([ids[0], ids.at(-1)]);
    } finally {
      await log.close();
    }
  });
});
