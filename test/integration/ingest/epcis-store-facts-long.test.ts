/**
 * What an EPCIS capture reads from the store (store-facts.ts, store-productions.ts), over more
 * than ID_CHUNK identifiers of each kind: every read goes in parts, and finds the rows of both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { parseGs1Uri } from '../../../services/common/epcis/gs1-uri.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { ID_CHUNK } from '../../../services/common/store/query-in-chunks.js';
import {
  fetchStoreFacts,
  type IdentifiedEvent,
} from '../../../services/ingest/epcis/store-facts.js';
import {
  productionFacts,
  transformationOutputFacts,
} from '../../../services/ingest/epcis/store-productions.js';
import { givenProductions, long, T } from '../../support/long-id-lists.js';

const sscc = (serial: number) => `urn:epc:id:sscc:0614141.${String(serial).padStart(10, '0')}`;

describe('an EPCIS capture naming more than ID_CHUNK identifiers (chDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-capture-long-'));
  const store = createChdbStore({ path: dir });

  beforeAll(async () => {
    await givenProductions(store);
    await store.insert('party_identifiers', [
      { identifier: 'id-dairy', party_id: 'dairy', created_at: T(1) },
    ]);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gathers what an EPCIS capture of many identifiers needs from the store', async () => {
    const named = (ids: readonly string[]): IdentifiedEvent => ({
      event: {
        type: 'ObjectEvent',
        epcList: ids.map((id) => `urn:suyuan:batch:${id}`),
      },
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
      },
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
});
