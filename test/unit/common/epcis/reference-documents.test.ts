/**
 * Reference documents (BatchShipped and BatchReceived v3) and EPCIS business transactions, both
 * ways: capture maps a shipping or receiving event's transactions onto the documents of the event
 * it derives, and the export writes them back so that they capture as themselves.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_DOCUMENT_TYPES } from '../../../../services/common/events/reference-documents.js';
import {
  CaptureKnowledge,
  NO_STORE_FACTS,
} from '../../../../services/common/epcis/capture-knowledge.js';
import type { EpcisEvent } from '../../../../services/common/epcis/epcis-event.js';
import { nativeToEpcis } from '../../../../services/common/epcis/from-native.js';
import { documentTransactions } from '../../../../services/common/epcis/reference-documents.js';
import { mapEpcisEvent, type MappedEvent } from '../../../../services/common/epcis/to-native.js';
import { sampleEvents } from '../../../support/sample-events.js';

const LOT_URN = 'urn:epc:class:lgtin:6901234.056789.L1';
const SHOP = 'urn:suyuan:party:shop';

const base = (fields: Record<string, unknown>): EpcisEvent => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-20T16:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  ...fields,
});

/** Maps a document's events in order, as capture does, for `party`. */
function mapAll(events: EpcisEvent[], { party = 'plant' } = {}): MappedEvent[] {
  const knowledge = new CaptureKnowledge(NO_STORE_FACTS);
  return events.map((event, i) => {
    const mapped = mapEpcisEvent({
      event,
      epcisEventId: `urn:uuid:r${i}`,
      caller: { partyId: party, regulator: false },
      prefixes: new Map(),
      knowledge,
    });
    knowledge.learn(mapped.learned);
    return mapped;
  });
}

describe('reference documents: bizTransactions both ways', () => {
  const shipping = (bizTransactionList: unknown[]) =>
    base({
      bizStep: 'shipping',
      quantityList: [{ epcClass: LOT_URN, quantity: 5, uom: 'KGM' }],
      destinationList: [{ type: 'owning_party', destination: SHOP }],
      bizTransactionList,
    });
  const documentsOf = (mapped: MappedEvent | undefined) =>
    mapped?.natives.map((native) =>
      'referenceDocuments' in native ? native.referenceDocuments : [],
    );

  it('maps every business transaction of a shipment or receipt, by its CBV type in any spelling', () => {
    const [shipped] = mapAll([
      shipping([
        {
          type: 'urn:epcglobal:cbv:btt:bol',
          bizTransaction: 'urn:epcglobal:cbv:bt:6901234000017:B7',
        },
        { type: 'https://ref.gs1.org/cbv/BTT-po', bizTransaction: 'urn:example:po:7' },
        { type: 'inv', bizTransaction: 'urn:suyuan:document:%E5%8F%91%E7%A5%A8%209' },
        { type: 'desadv', bizTransaction: 'urn:example:desadv:42' },
        { bizTransaction: 'urn:example:gr:1' },
        { type: 'https://example.com/btt/waybill', bizTransaction: 'urn:example:wb:3' },
        { type: 'po', bizTransaction: 'urn:example:po:7' },
      ]),
    ]);
    // The bol pairs the shipment as before; each transaction is a document, a repeat once, and a
    // type outside the CBV (or none) is OTHER; the platform's own document URI reads back as
    // the number it carries.
    expect(shipped?.natives[0]).toMatchObject({ shipmentId: 'urn:example:desadv:42' });
    expect(documentsOf(shipped)).toEqual([
      [
        { type: 'BILL_OF_LADING', number: 'urn:epcglobal:cbv:bt:6901234000017:B7' },
        { type: 'PURCHASE_ORDER', number: 'urn:example:po:7' },
        { type: 'INVOICE', number: '发票 9' },
        { type: 'DESPATCH_ADVICE', number: 'urn:example:desadv:42' },
        { type: 'OTHER', number: 'urn:example:gr:1' },
        { type: 'OTHER', number: 'urn:example:wb:3' },
      ],
    ]);
    const [received] = mapAll(
      [
        {
          ...shipping([{ type: 'recadv', bizTransaction: 'urn:example:gr:2' }]),
          bizStep: 'receiving',
        },
      ],
      { party: 'shop' },
    );
    expect(documentsOf(received)).toEqual([
      [{ type: 'RECEIVING_ADVICE', number: 'urn:example:gr:2' }],
    ]);
  });

  it('leaves out the shipment id the export writes, and names none when there is no transaction', () => {
    const [exported, bare] = mapAll([
      shipping([{ type: 'desadv', bizTransaction: 'urn:suyuan:shipment:S-1' }]),
      shipping([]),
    ]);
    expect(exported?.natives[0]).toMatchObject({ shipmentId: 'S-1', referenceDocuments: [] });
    expect(documentsOf(bare)).toEqual([[]]);
  });

  it('keeps an id past the number’s bound as its hash, as a long shipment id is kept', () => {
    const long = `urn:example:bol:${'9'.repeat(300)}`;
    const [shipped] = mapAll([shipping([{ type: 'bol', bizTransaction: long }])]);
    expect(documentsOf(shipped)).toEqual([
      [{ type: 'BILL_OF_LADING', number: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }],
    ]);
  });

  it('exports every type and number as a transaction that captures back to the same document', () => {
    const documents = [
      ...REFERENCE_DOCUMENT_TYPES.map((type, i) => ({ type, number: `N-${i}` })),
      { type: 'INVOICE', number: '发票 44031234' },
      { type: 'OTHER', number: 'urn:example:gr:1' },
      { type: 'BILL_OF_LADING', number: 'urn:suyuan:shipment:looks-like-ours' },
    ] as const;
    const transactions = documentTransactions(documents);
    expect(transactions.slice(0, 3)).toEqual([
      { type: 'bol', bizTransaction: 'urn:suyuan:document:N-0' },
      { type: 'po', bizTransaction: 'urn:suyuan:document:N-1' },
      { type: 'poc', bizTransaction: 'urn:suyuan:document:N-2' },
    ]);
    // OTHER has no CBV type: the transaction names none.
    expect(transactions.at(-2)).toEqual({ bizTransaction: 'urn:example:gr:1' });
    const [captured] = mapAll([shipping(transactions)]);
    expect(documentsOf(captured)).toEqual([documents]);
  });

  it('exports a shipment stored before v3 (its JSON payload has no list) with its shipment id only', () => {
    const shipment = sampleEvents().find((event) => event.eventType === 'BatchShipped');
    if (shipment?.eventType !== 'BatchShipped') throw new Error('no BatchShipped sample');
    const { referenceDocuments: _documents, ...stored } = shipment;
    const exported = nativeToEpcis(stored as typeof shipment, () => null);
    expect(exported.bizTransactionList).toEqual([
      { type: 'desadv', bizTransaction: 'urn:suyuan:shipment:S-1' },
    ]);
    expect(nativeToEpcis(shipment, () => null).bizTransactionList).toEqual([
      { type: 'desadv', bizTransaction: 'urn:suyuan:shipment:S-1' },
      { type: 'bol', bizTransaction: 'urn:suyuan:document:BOL-2026-0042' },
      { type: 'inv', bizTransaction: 'urn:suyuan:document:%E5%8F%91%E7%A5%A8%2044031234' },
    ]);
  });
});
