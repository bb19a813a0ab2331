import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  eventHashId,
  eventPreHash,
  hashContextOf,
} from '../../../../services/common/epcis/event-hash.js';
import { readShared, SHARED_EPCIS_ABSENT, sharedFiles } from '../../../support/shared-epcis.js';

type Json = Record<string, unknown>;

// Conformance: the official vectors (MIT, RalphTro/epcis-event-hash-generator) in ../shared.
describe.skipIf(SHARED_EPCIS_ABSENT !== undefined)('the official event-hash vectors', () => {
  const vectors = sharedFiles('hash-vectors', '.jsonld');

  it('are all there', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(7);
  });

  it.each(vectors)('%s: every event hashes to its published hash ID', (file) => {
    const document = JSON.parse(readShared('hash-vectors', file)) as Json;
    const expected = readShared('hash-vectors', file.replace('.jsonld', '.hashes'))
      .trim()
      .split('\n');
    const events = (document.epcisBody as { eventList: Json[] }).eventList;
    const context = hashContextOf(document);
    expect(events.map((event) => eventHashId(event, context))).toEqual(expected);
  });

  // One .prehashes file upstream is garbled (its lines interleave); the others must match.
  it.each(vectors.filter((file) => file !== 'epcisDocWithAllGS1Keys.jsonld'))(
    '%s: the canonical pre-hash strings match',
    (file) => {
      const document = JSON.parse(readShared('hash-vectors', file)) as Json;
      const expected = readShared('hash-vectors', file.replace('.jsonld', '.prehashes'))
        .trim()
        .split('\n');
      const events = (document.epcisBody as { eventList: Json[] }).eventList;
      const context = hashContextOf(document);
      expect(events.map((event) => eventPreHash(event, context))).toEqual(expected);
    },
  );
});

describe('the event hash of one event written in different ways', () => {
  const context = hashContextOf({
    '@context': [{ example: 'https://ns.example.com/epcis/' }],
  });
  const base: Json = {
    type: 'ObjectEvent',
    eventTime: '2026-11-20T08:00:00.000Z',
    eventTimeZoneOffset: '+08:00',
    epcList: [
      'urn:epc:id:sgtin:6901234.056789.1',
      'urn:epc:id:sgtin:6901234.056789.2',
      'urn:epc:id:sgtin:6901234.056789.3',
    ],
    quantityList: [
      { epcClass: 'urn:epc:class:lgtin:6901234.056789.L1', quantity: 12.5, uom: 'KGM' },
    ],
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:suyuan:shipment:S-1' }],
    'example:note': 'x',
  };
  const hash = eventHashId(base, context);

  it('does not depend on list order, time zone, CBV spelling or identifier syntax (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(base.epcList as string[], { minLength: 3, maxLength: 3 }),
        fc.constantFrom(
          '2026-11-20T16:00:00+08:00',
          '2026-11-20T08:00:00Z',
          '2026-11-20T03:00:00.0004-05:00',
        ),
        fc.constantFrom('shipping', 'https://ref.gs1.org/cbv/BizStep-shipping'),
        fc.boolean(),
        (epcList, eventTime, bizStep, digitalLink) => {
          const variant = {
            ...base,
            epcList: digitalLink
              ? epcList.map((urn) => `https://id.gs1.org/01/06901234567892/21/${urn.slice(-1)}`)
              : epcList,
            eventTime,
            bizStep,
            eventID: 'urn:uuid:00000000-0000-4000-8000-000000000001',
            recordTime: '2030-01-01T00:00:00Z',
            errorDeclaration: { declarationTime: '2030-01-01T00:00:00Z', reason: 'did_not_occur' },
          };
          expect(eventHashId(variant, context)).toBe(hash);
        },
      ),
    );
  });

  it('changes with anything the event says', () => {
    const changes: Json[] = [
      {
        quantityList: [
          { epcClass: 'urn:epc:class:lgtin:6901234.056789.L1', quantity: 12.4, uom: 'KGM' },
        ],
      },
      { disposition: 'in_progress' },
      { epcList: (base.epcList as string[]).slice(1) },
      { 'example:note': 'y' },
      { readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0' } },
    ];
    for (const change of changes) {
      expect(eventHashId({ ...base, ...change }, context), JSON.stringify(change)).not.toBe(hash);
    }
  });

  it('is a CBV 2.0 hash ID', () => {
    expect(hash).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  });
});
