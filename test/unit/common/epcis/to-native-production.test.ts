/**
 * A batch id names one batch, produced once: an EPCIS event that produces a lot or item standing
 * already (commissioned, then an output of the transformation that made it) produces it once.
 */
import { describe, expect, it } from 'vitest';
import {
  CaptureKnowledge,
  NO_STORE_FACTS,
  type ProducedOutput,
  type StoreFacts,
} from '../../../../services/common/epcis/capture-knowledge.js';
import type { EpcisEvent } from '../../../../services/common/epcis/epcis-event.js';
import { canonicalUri } from '../../../../services/common/epcis/gs1-uri.js';
import { mapEpcisEvent, type MappedEvent } from '../../../../services/common/epcis/to-native.js';

const ITEM_URN = 'urn:epc:id:sgtin:6901234.056789.25';
const ITEM = canonicalUri(ITEM_URN);
const RAW = 'urn:epc:class:lgtin:6901234.056789.RAW';

const commissioned: EpcisEvent = {
  type: 'ObjectEvent',
  eventTime: '2026-11-20T08:00:00Z',
  eventTimeZoneOffset: '+00:00',
  action: 'ADD',
  bizStep: 'commissioning',
  epcList: [ITEM_URN],
};
const madeFromRaw: EpcisEvent = {
  type: 'TransformationEvent',
  eventTime: '2026-11-20T09:00:00Z',
  eventTimeZoneOffset: '+00:00',
  inputQuantityList: [{ epcClass: RAW, quantity: 3, uom: 'KGM' }],
  outputEPCList: [ITEM_URN],
};

/** Maps a document in order, as capture does, for `party`. */
function mapAll(events: EpcisEvent[], party: string, facts: StoreFacts = NO_STORE_FACTS) {
  const knowledge = new CaptureKnowledge(facts);
  return events.map((event, i): MappedEvent => {
    const mapped = mapEpcisEvent({
      event,
      epcisEventId: `urn:uuid:p${i}`,
      caller: { partyId: party, regulator: false },
      prefixes: new Map(),
      knowledge,
    });
    knowledge.learn(mapped.learned);
    return mapped;
  });
}

const storedItem = (party: string): StoreFacts => {
  const production: ProducedOutput = {
    batchId: ITEM,
    eventId: '00000000-0000-4000-8000-0000000000aa',
    party,
    eventTime: '2026-11-19T00:00:00.000Z',
    operator: null,
    location: null,
    product: { id: '06901234567892', name: 'item' },
    quantity: 1,
    unit: 'EA',
    inputs: [],
  };
  return { ...NO_STORE_FACTS, productions: new Map([[ITEM, production]]) };
};

describe('an EPCIS event producing a batch that stands already', () => {
  it('produces an item commissioned earlier in the document again, with the inputs it was made from', () => {
    const [first, second] = mapAll([commissioned, madeFromRaw], 'plant');
    const [production] = first!.natives;
    expect(second?.natives).toEqual([
      expect.objectContaining({ eventType: 'EventRetracted', targetEventId: production?.eventId }),
      expect.objectContaining({
        eventType: 'BatchProduced',
        batchId: ITEM,
        eventTime: '2026-11-20T08:00:00.000Z',
        inputs: [{ batchId: canonicalUri(RAW), quantity: 3, unit: 'kg' }],
      }),
    ]);
  });

  it('adds nothing when commissioned again by its producer, in a later document', () => {
    const [again] = mapAll([commissioned], 'plant', storedItem('plant'));
    expect(again?.natives).toEqual([]);
    expect(again?.unresolved).toEqual([]);
  });

  it('leaves another party’s batch as it is, listed as an unresolved link', () => {
    const [made] = mapAll([madeFromRaw], 'plant', storedItem('farm'));
    expect(made?.natives).toEqual([]);
    expect(made?.unresolved).toEqual([
      { path: 'outputEPCList', id: ITEM, reason: expect.stringContaining('farm') },
    ]);
  });
});
