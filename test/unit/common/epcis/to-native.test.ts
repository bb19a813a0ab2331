import { describe, expect, it } from 'vitest';
import {
  CaptureKnowledge,
  NO_STORE_FACTS,
  type StoreFacts,
} from '../../../../services/common/epcis/capture-knowledge.js';
import type { EpcisEvent } from '../../../../services/common/epcis/epcis-event.js';
import { canonicalUri } from '../../../../services/common/epcis/gs1-uri.js';
import { partyIdentifierKey } from '../../../../services/common/epcis/party-identifiers.js';
import { SUYUAN_NAMESPACE } from '../../../../services/common/epcis/epcis-event.js';
import {
  derivedEventId,
  mapEpcisEvent,
  type MappedEvent,
} from '../../../../services/common/epcis/to-native.js';

const LOT = 'https://id.gs1.org/01/06901234567892/10/L1';
const LOT_URN = 'urn:epc:class:lgtin:6901234.056789.L1';
const ITEM = 'https://id.gs1.org/01/06901234567892/21/S1';
const ITEM_URN = 'urn:epc:id:sgtin:6901234.056789.S1';
const SSCC_URN = 'urn:epc:id:sscc:6901234.0000000001';
const SSCC = canonicalUri(SSCC_URN);
const PLANT_GLN = 'urn:epc:id:pgln:6901234.00001';
const SHOP_GLN = 'urn:epc:id:pgln:6901234.00002';

const prefixes = new Map([['suyuan', SUYUAN_NAMESPACE]]);
const facts = (overrides: Partial<StoreFacts> = {}): StoreFacts => ({
  ...NO_STORE_FACTS,
  partyByIdentifier: new Map([
    [partyIdentifierKey(PLANT_GLN), 'plant'],
    [partyIdentifierKey(SHOP_GLN), 'shop'],
  ]),
  ...overrides,
});

const base = (fields: Record<string, unknown>): EpcisEvent => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-20T16:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  ...fields,
});

/** Maps events in order, as a document is, each seeing what the earlier ones made known. */
function mapAll(
  events: EpcisEvent[],
  options: { party?: string; regulator?: boolean; facts?: StoreFacts } = {},
): MappedEvent[] {
  const knowledge = new CaptureKnowledge(options.facts ?? facts());
  return events.map((event, i) => {
    const mapped = mapEpcisEvent({
      event,
      epcisEventId: `urn:uuid:e${i}`,
      caller: { partyId: options.party ?? 'plant', regulator: options.regulator ?? false },
      prefixes,
      knowledge,
    });
    knowledge.learn(mapped.learned);
    return mapped;
  });
}
const mapOne = (event: EpcisEvent, options: Parameters<typeof mapAll>[1] = {}) =>
  mapAll([event], options)[0] as MappedEvent;

describe('commissioning (ObjectEvent ADD, bizStep commissioning)', () => {
  it('produces each lot with its quantity and each item as one EA, by the caller', () => {
    const mapped = mapOne(
      base({
        action: 'ADD',
        bizStep: 'commissioning',
        epcList: [ITEM_URN],
        quantityList: [{ epcClass: LOT_URN, quantity: 1200, uom: 'KGM' }],
        'suyuan:productName': '全脂乳粉',
        'suyuan:operator': '王建国',
      }),
    );
    expect(mapped.problems).toEqual([]);
    expect(mapped.natives).toEqual([
      expect.objectContaining({
        eventType: 'BatchProduced',
        batchId: ITEM,
        quantity: 1,
        unit: 'EA',
        party: 'plant',
        operator: '王建国',
        eventTime: '2026-11-20T08:00:00.000Z',
        product: { id: '06901234567892', name: '全脂乳粉' },
      }),
      expect.objectContaining({ batchId: LOT, quantity: 1200, unit: 'kg', inputs: [] }),
    ]);
  });

  it('refuses a lot without a quantity, naming the field', () => {
    const mapped = mapOne(
      base({ action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: LOT_URN }] }),
    );
    expect(mapped.natives).toEqual([]);
    expect(mapped.problems).toEqual([
      { path: 'quantityList[0].quantity', message: expect.stringContaining('quantity') },
    ]);
  });
});

describe('transformation', () => {
  it('gives every output every input, joining events that share a transformationID', () => {
    const [inputsOnly, outputs] = mapAll([
      {
        type: 'TransformationEvent',
        eventTime: '2026-11-21T09:00:00Z',
        eventTimeZoneOffset: '+00:00',
        transformationID: 'urn:uuid:run-1',
        inputQuantityList: [
          { epcClass: 'urn:epc:class:lgtin:6901234.056789.RAW', quantity: 9000, uom: 'KGM' },
        ],
      },
      {
        type: 'TransformationEvent',
        eventTime: '2026-11-21T10:00:00Z',
        eventTimeZoneOffset: '+00:00',
        transformationID: 'urn:uuid:run-1',
        inputEPCList: [ITEM_URN],
        outputQuantityList: [
          { epcClass: LOT_URN, quantity: 1200, uom: 'KGM' },
          { epcClass: 'urn:epc:class:lgtin:6901234.056789.L2', quantity: 300, uom: 'KGM' },
        ],
      },
    ]);
    expect(inputsOnly?.natives).toEqual([]);
    const inputs = [
      { batchId: 'https://id.gs1.org/01/06901234567892/10/RAW', quantity: 9000, unit: 'kg' },
      { batchId: ITEM, quantity: 1, unit: 'EA' },
    ];
    expect(outputs?.natives).toEqual([
      expect.objectContaining({ eventType: 'BatchProduced', batchId: LOT, inputs }),
      expect.objectContaining({ batchId: 'https://id.gs1.org/01/06901234567892/10/L2', inputs }),
    ]);
  });

  it('keeps a class pattern among the inputs as an unresolved link, never dropping it', () => {
    const mapped = mapOne({
      type: 'TransformationEvent',
      eventTime: '2026-11-21T10:00:00Z',
      eventTimeZoneOffset: '+00:00',
      inputQuantityList: [{ epcClass: 'urn:epc:idpat:sgtin:6901234.056789.*', quantity: 5 }],
      outputQuantityList: [{ epcClass: LOT_URN, quantity: 10 }],
    });
    expect(mapped.unresolved).toEqual([
      {
        path: 'inputQuantityList[0].epcClass',
        id: 'https://id.gs1.org/01/06901234567892',
        reason: expect.stringContaining('without a lot'),
      },
    ]);
    expect(mapped.natives).toEqual([expect.objectContaining({ batchId: LOT, inputs: [] })]);
  });
});

describe('containment and shipping', () => {
  const pack = (action: string, time: string, children: Record<string, unknown>) => ({
    type: 'AggregationEvent',
    eventTime: time,
    eventTimeZoneOffset: '+00:00',
    parentID: SSCC_URN,
    action,
    bizStep: 'packing',
    ...children,
  });
  const ship = (time: string, extra: Record<string, unknown> = {}) =>
    base({
      eventTime: time,
      eventTimeZoneOffset: '+00:00',
      bizStep: 'shipping',
      epcList: [SSCC_URN],
      bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:example:desadv:42' }],
      destinationList: [{ type: 'owning_party', destination: SHOP_GLN }],
      ...extra,
    });

  it('ships what the pallet holds at that time, lot by lot, to the destination party', () => {
    const mapped = mapAll([
      pack('ADD', '2026-11-22T08:00:00Z', {
        childEPCs: [ITEM_URN],
        childQuantityList: [{ epcClass: LOT_URN, quantity: 400, uom: 'KGM' }],
      }),
      ship('2026-11-22T09:00:00Z'),
      pack('DELETE', '2026-11-22T10:00:00Z', { childEPCs: [ITEM_URN] }),
      ship('2026-11-22T11:00:00Z', { bizTransactionList: [] }),
    ]);
    expect(mapped[1]?.natives).toEqual([
      expect.objectContaining({
        eventType: 'BatchShipped',
        shipmentId: 'urn:example:desadv:42',
        to: 'shop',
        lines: [
          { batchId: ITEM, quantity: 1, unit: 'EA' },
          { batchId: LOT, quantity: 400, unit: 'kg' },
        ],
      }),
    ]);
    // After the item left the pallet only the lot ships; without a desadv or bol the shipment
    // is the event itself.
    expect(mapped[3]?.natives).toEqual([
      expect.objectContaining({
        shipmentId: 'urn:uuid:e3',
        lines: [{ batchId: LOT, quantity: 400, unit: 'kg' }],
      }),
    ]);
  });

  it('opens inner containers, and uses containment the store already knew', () => {
    const inner = canonicalUri('urn:epc:id:sscc:6901234.0000000002');
    const mapped = mapOne(ship('2026-11-22T09:00:00Z'), {
      facts: facts({
        containment: [
          {
            parent: SSCC,
            child: inner,
            quantity: null,
            unit: null,
            action: 'ADD',
            at: '2026-11-22T07:00:00.000Z',
            order: 'a',
          },
          {
            parent: inner,
            child: LOT,
            quantity: 10,
            unit: 'kg',
            action: 'ADD',
            at: '2026-11-22T06:00:00.000Z',
            order: 'b',
          },
          {
            parent: inner,
            child: ITEM,
            quantity: null,
            unit: null,
            action: 'ADD',
            at: '2026-11-22T10:00:00.000Z',
            order: 'c',
          },
        ],
      }),
    });
    expect(mapped.natives).toEqual([
      expect.objectContaining({ lines: [{ batchId: LOT, quantity: 10, unit: 'kg' }] }),
    ]);
  });

  it('records a pallet of unknown content as an unresolved link', () => {
    const mapped = mapOne(ship('2026-11-22T09:00:00Z'));
    expect(mapped.natives).toEqual([]);
    expect(mapped.unresolved).toEqual([
      expect.objectContaining({ id: SSCC, reason: expect.stringContaining('no known contents') }),
    ]);
  });

  it('names an unregistered counterparty by its GLN, and an absent one as unknown', () => {
    const elsewhere = mapOne(
      base({
        bizStep: 'shipping',
        quantityList: [{ epcClass: LOT_URN, quantity: 1 }],
        destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0614141.00777' }],
      }),
    );
    expect(elsewhere.natives[0]).toMatchObject({ to: 'https://id.gs1.org/417/0614141007776' });
    const nowhere = mapOne(
      base({ bizStep: 'shipping', quantityList: [{ epcClass: LOT_URN, quantity: 1 }] }),
    );
    expect(nowhere.natives[0]).toMatchObject({ to: 'urn:suyuan:party:unknown' });
  });

  it('pairs a receipt with its shipment through the despatch advice', () => {
    const [, receipt] = mapAll(
      [
        ship('2026-11-22T09:00:00Z', {
          epcList: [],
          quantityList: [{ epcClass: LOT_URN, quantity: 5 }],
        }),
        base({
          bizStep: 'receiving',
          quantityList: [{ epcClass: LOT_URN, quantity: 5 }],
          bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:example:desadv:42' }],
        }),
      ],
      { party: 'plant' },
    );
    expect(receipt?.natives).toEqual([
      expect.objectContaining({
        eventType: 'BatchReceived',
        shipmentId: 'urn:example:desadv:42',
        from: 'plant',
        lines: [{ batchId: LOT, quantity: 5, unit: 'EA' }],
      }),
    ]);
  });

  it('resolves a destination by its owning party, else possessing party, else location', () => {
    const SHOP_LOCATION = 'urn:epc:id:sgln:6901234.00002.0';
    const cases: Array<[Array<Record<string, string>>, string]> = [
      [[{ type: 'possessing_party', destination: SHOP_GLN }], 'shop'],
      [[{ type: 'location', destination: SHOP_LOCATION }], 'shop'],
      [
        [
          { type: 'location', destination: PLANT_GLN },
          { type: 'possessing_party', destination: PLANT_GLN },
          { type: 'owning_party', destination: SHOP_GLN },
        ],
        'shop',
      ],
      [
        [
          { type: 'location', destination: PLANT_GLN },
          { type: 'possessing_party', destination: SHOP_GLN },
        ],
        'shop',
      ],
    ];
    for (const [destinationList, to] of cases) {
      const mapped = mapOne(
        ship('2026-11-22T09:00:00Z', {
          epcList: [],
          quantityList: [{ epcClass: LOT_URN, quantity: 5 }],
          destinationList,
        }),
      );
      expect(mapped.natives, JSON.stringify(destinationList)).toEqual([
        expect.objectContaining({ eventType: 'BatchShipped', to }),
      ]);
    }
  });

  it('without a desadv or bol, ships under the event’s own id and keeps the receipt unpaired', () => {
    const [shipment, receipt] = mapAll(
      [
        ship('2026-11-22T09:00:00Z', {
          epcList: [],
          quantityList: [{ epcClass: LOT_URN, quantity: 5 }],
          bizTransactionList: [{ type: 'po', bizTransaction: 'urn:example:po:7' }],
        }),
        base({
          bizStep: 'receiving',
          quantityList: [{ epcClass: LOT_URN, quantity: 5 }],
          sourceList: [{ type: 'owning_party', source: PLANT_GLN }],
        }),
      ],
      { party: 'shop' },
    );
    // A po does not pair (one order ships several times): the shipment is its own event's.
    expect(shipment?.natives).toEqual([
      expect.objectContaining({ eventType: 'BatchShipped', shipmentId: 'urn:uuid:e0' }),
    ]);
    // The receipt is custody that arrived from its source, paired with nothing but kept.
    expect(receipt?.natives).toEqual([
      expect.objectContaining({
        eventType: 'BatchReceived',
        shipmentId: 'urn:uuid:e1',
        from: 'plant',
        lines: [{ batchId: LOT, quantity: 5, unit: 'EA' }],
      }),
    ]);
  });

  it('places an event without bizLocation or readPoint at the location its goods left or reached', () => {
    const moved = (bizStep: string) =>
      base({
        bizStep,
        quantityList: [{ epcClass: LOT_URN, quantity: 5 }],
        sourceList: [{ type: 'location', source: 'urn:epc:id:sgln:6901234.00001.0' }],
        destinationList: [{ type: 'location', destination: 'urn:epc:id:sgln:6901234.00002.7' }],
      });
    expect(mapOne(moved('shipping')).natives[0]).toMatchObject({
      eventType: 'BatchShipped',
      location: { gln: '6901234000016', siteId: null },
    });
    expect(mapOne(moved('receiving')).natives[0]).toMatchObject({
      eventType: 'BatchReceived',
      location: { gln: '6901234000023', siteId: '7' },
    });
    const atBizLocation = {
      ...moved('shipping'),
      bizLocation: { id: 'urn:epc:id:sgln:6901234.00002.0' },
    };
    expect(mapOne(atBizLocation).natives[0]).toMatchObject({
      location: { gln: '6901234000023', siteId: null },
    });
  });

  it('refuses an instance Suyuan has no way to place, and a wrong check digit', () => {
    const mapped = mapOne(
      base({
        bizStep: 'shipping',
        epcList: ['https://example.com/serial/123', 'https://id.gs1.org/01/06901234567893/21/1'],
      }),
    );
    expect(mapped.natives).toEqual([]);
    expect(mapped.problems).toEqual([
      { path: 'epcList[0]', message: expect.stringContaining('cannot be placed on a trace') },
      { path: 'epcList[1]', message: expect.stringContaining('check digit') },
    ]);
  });
});

describe('inspections, recalls, corrections and the acting party', () => {
  it('records a failed inspection with its sensor readings as findings', () => {
    const inspection = base({
      bizStep: 'inspecting',
      disposition: 'non_conformant',
      quantityList: [{ epcClass: LOT_URN, quantity: 1 }],
      certificationInfo: 'https://lab.example.cn/report/77',
      sensorElementList: [
        {
          sensorReport: [
            { type: 'Temperature', value: 9.5, uom: 'CEL' },
            { type: 'Dimensionless', stringValue: 'x' },
          ],
        },
      ],
    });
    expect(mapOne(inspection).natives).toEqual([
      expect.objectContaining({
        eventType: 'InspectionRecorded',
        batchId: LOT,
        result: 'FAIL',
        kind: 'SELF_CHECK',
        findings: [{ item: 'Temperature', value: 9.5, limit: null, unit: 'CEL' }],
        report: 'https://lab.example.cn/report/77',
      }),
    ]);
    // A regulator's sampling is supervisory (监督抽查), which the recall policy acts on.
    expect(mapOne(inspection, { party: 'samr', regulator: true }).natives[0]).toMatchObject({
      kind: 'SUPERVISORY_SAMPLING',
      party: 'samr',
    });
  });

  it('turns disposition recalled into a recall: ordered by a regulator, voluntary otherwise', () => {
    const recalled = base({
      disposition: 'recalled',
      quantityList: [{ epcClass: LOT_URN, quantity: 1 }],
      'suyuan:recallLevel': 1,
    });
    expect(mapOne(recalled, { party: 'samr', regulator: true }).natives).toEqual([
      expect.objectContaining({
        eventType: 'RecallInitiated',
        rootBatchIds: [LOT],
        level: 1,
        mode: 'ORDERED',
      }),
    ]);
    expect(mapOne(recalled).natives[0]).toMatchObject({ mode: 'VOLUNTARY' });
  });

  it('retracts what the original derived when its error is declared, keeping the corrections', () => {
    const derived = [derivedEventId('urn:uuid:orig', 'shipped')];
    const mapped = mapOne(
      base({
        eventID: 'urn:uuid:orig',
        bizStep: 'shipping',
        quantityList: [{ epcClass: LOT_URN, quantity: 1 }],
        errorDeclaration: {
          declarationTime: '2026-11-23T00:00:00Z',
          reason: 'incorrect_data',
          correctiveEventIDs: ['urn:uuid:fixed'],
        },
      }),
      {
        facts: facts({
          originals: new Map([['urn:uuid:e0', { party: 'plant', derivedEventIds: derived }]]),
        }),
      },
    );
    expect(mapped.natives).toEqual([
      expect.objectContaining({
        eventType: 'EventRetracted',
        targetEventId: derived[0],
        eventTime: '2026-11-23T00:00:00.000Z',
        reason: expect.stringContaining('urn:uuid:fixed'),
      }),
    ]);
  });

  it('refuses an event whose owning source is another registered party', () => {
    const mapped = mapOne(
      base({ bizStep: 'shipping', sourceList: [{ type: 'owning_party', source: SHOP_GLN }] }),
    );
    expect(mapped.forbidden).toEqual({
      path: 'sourceList[0].source',
      message: expect.stringContaining('shop'),
    });
    expect(
      mapOne(base({ sourceList: [{ type: 'owning_party', source: PLANT_GLN }] })).forbidden,
    ).toBeUndefined();
  });

  it('maps events without a trace meaning to nothing', () => {
    expect(
      mapOne(base({ bizStep: 'storing', quantityList: [{ epcClass: LOT_URN }] })).natives,
    ).toEqual([]);
    expect(
      mapOne({
        type: 'TransactionEvent',
        eventTime: '2026-11-20T08:00:00Z',
        eventTimeZoneOffset: '+00:00',
        action: 'ADD',
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:example:po:1' }],
        quantityList: [{ epcClass: LOT_URN, quantity: 1 }],
      }).natives,
    ).toEqual([]);
  });
});
