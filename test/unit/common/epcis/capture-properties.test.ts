/**
 * Properties of the capture's pure stages over arbitrary events: whatever an event holds, the
 * schema check, the event hash and the mapping answer (problems name fields) and never throw —
 * a throw there would be a server error for a client's bad document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptureKnowledge,
  NO_STORE_FACTS,
} from '../../../../services/common/epcis/capture-knowledge.js';
import { vocabularyProblems } from '../../../../services/common/epcis/cbv-check.js';
import { eventHashId } from '../../../../services/common/epcis/event-hash.js';
import { checkEvent } from '../../../../services/common/epcis/schema-check.js';
import { mapEpcisEvent } from '../../../../services/common/epcis/to-native.js';

const uris = fc.constantFrom(
  'urn:epc:id:sgtin:6901234.056789.1',
  'urn:epc:id:sscc:6901234.0000000001',
  'urn:epc:class:lgtin:6901234.056789.L1',
  'urn:epc:idpat:sgtin:6901234.056789.*',
  'urn:epc:id:sgtin:1.2.3',
  'https://id.gs1.org/01/06901234567893/21/1',
  'https://id.gs1.org/01/06901234567892/10/%E4%B9%B3',
  'https://example.com/thing/1',
  'urn:suyuan:batch:B%2F1',
  'urn:suyuan:batch:',
  'urn:epc:id:grai:4012345.66666.87',
  'x:y',
);
const quantity = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -1, 1e300, 0.5, 1e-9),
  fc.integer(),
);
const element = fc.record(
  { epcClass: uris, quantity, uom: fc.constantFrom('KGM', 'EA', 'LTR', 'ZZ') },
  { requiredKeys: ['epcClass'] },
);
const party = fc.constantFrom(
  'urn:epc:id:pgln:6901234.00001',
  'urn:suyuan:party:nobody',
  'https://id.gs1.org/414/6901234000017/254/dock',
  'urn:suyuan:uscc:91350100M000100Y43',
);
const sourceOrDestination = (key: 'source' | 'destination') =>
  fc.record({
    type: fc.constantFrom('owning_party', 'possessing_party', 'location', 'x:other'),
    [key]: party,
  });

const common = {
  eventTime: fc.constantFrom(
    '2026-11-20T08:00:00Z',
    '2026-11-20T08:00:00.1234567+08:00',
    '1970-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ),
  eventTimeZoneOffset: fc.constantFrom('+08:00', '-05:00'),
  eventID: fc.constantFrom(
    'urn:uuid:00000000-0000-4000-8000-000000000001',
    'ni:///sha-256;00?ver=CBV2.0',
  ),
  bizStep: fc.constantFrom(
    'commissioning',
    'shipping',
    'receiving',
    'inspecting',
    'sampling',
    'packing',
    'https://ref.gs1.org/cbv/BizStep-nope',
    'x:step',
  ),
  disposition: fc.constantFrom('recalled', 'conformant', 'non_conformant', 'in_transit', 'x:disp'),
  sourceList: fc.array(sourceOrDestination('source'), { maxLength: 2 }),
  destinationList: fc.array(sourceOrDestination('destination'), { maxLength: 2 }),
  bizTransactionList: fc.array(
    fc.record({ type: fc.constantFrom('desadv', 'bol', 'po'), bizTransaction: uris }),
    { minLength: 1, maxLength: 2 },
  ),
  'suyuan:recallLevel': fc.constantFrom(1, 2, 3, 7, 'x'),
  'suyuan:operator': fc.string({ maxLength: 300 }),
  'suyuan:findings': fc.array(
    fc.record({ item: fc.string(), value: fc.oneof(fc.string(), fc.double()) }),
    { maxLength: 2 },
  ),
};
const declaration = fc.record({
  declarationTime: fc.constant('2026-11-21T00:00:00Z'),
  reason: fc.constantFrom('incorrect_data', 'x:why'),
});
const action = fc.constantFrom('ADD', 'OBSERVE', 'DELETE');
const sensors = fc.array(
  fc.record({
    sensorReport: fc.array(
      fc.record({ type: fc.constantFrom('Temperature', 'x:t'), value: quantity }),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
  }),
  { maxLength: 2 },
);
const required = ['type', 'eventTime', 'eventTimeZoneOffset'];
/** One event of each type, with the fields its type may have, each there or not. */
const ofType = (type: string, fields: Record<string, fc.Arbitrary<unknown>>, also: string[] = []) =>
  fc
    .tuple(
      fc.record(
        { type: fc.constant(type), ...common, ...fields },
        { requiredKeys: [...required, ...also] as never[] },
      ),
      fc.option(declaration, { freq: 8 }),
    )
    .map(([body, declared]) => (declared ? { ...body, errorDeclaration: declared } : body));

const event = fc.oneof(
  ofType(
    'ObjectEvent',
    {
      action,
      epcList: fc.array(uris, { maxLength: 3 }),
      quantityList: fc.array(element, { maxLength: 3 }),
      sensorElementList: sensors,
    },
    ['action', 'quantityList'],
  ),
  ofType(
    'AggregationEvent',
    {
      action,
      parentID: uris,
      childEPCs: fc.array(uris, { maxLength: 3 }),
      childQuantityList: fc.array(element, { maxLength: 2 }),
    },
    ['action', 'parentID'],
  ),
  ofType('TransformationEvent', {
    inputEPCList: fc.array(uris, { maxLength: 2 }),
    outputEPCList: fc.array(uris, { maxLength: 2 }),
    inputQuantityList: fc.array(element, { maxLength: 2 }),
    outputQuantityList: fc.array(element, { maxLength: 2 }),
    transformationID: fc.constantFrom('urn:uuid:t-1', 'urn:uuid:t-2'),
  }),
  ofType('TransactionEvent', { action, epcList: fc.array(uris, { maxLength: 2 }) }, [
    'action',
    'bizTransactionList',
  ]),
  ofType(
    'AssociationEvent',
    { action, parentID: uris, childEPCs: fc.array(uris, { maxLength: 2 }) },
    ['action', 'parentID'],
  ),
);

describe('the capture stages over arbitrary events (properties)', () => {
  it('check, hash and map every event without throwing, and refuse only by naming fields', () => {
    let reached = 0;
    fc.assert(
      fc.property(event, fc.boolean(), (candidate, regulator) => {
        const schema = checkEvent(candidate);
        const vocabulary = vocabularyProblems(candidate);
        for (const problem of [...schema, ...vocabulary]) expect(problem.message).not.toBe('');
        expect(eventHashId(candidate)).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
        if (schema.length > 0 || vocabulary.length > 0) return;
        reached += 1;
        const knowledge = new CaptureKnowledge(NO_STORE_FACTS);
        const mapped = mapEpcisEvent({
          event: candidate,
          epcisEventId: String(candidate.eventID ?? 'urn:uuid:x'),
          caller: { partyId: 'plant', regulator },
          prefixes: new Map([['suyuan', 'https://ns.suyuan.dev/epcis/']]),
          knowledge,
        });
        for (const problem of mapped.problems) expect(problem.path).not.toBe(undefined);
        for (const native of mapped.natives) {
          expect(native.party).toBe('plant');
          expect(native.eventId).toMatch(/^[0-9a-f-]{36}$/);
        }
      }),
      { numRuns: 500 },
    );
    // The generator must reach the mapping often, or the property says little about it.
    expect(reached).toBeGreaterThan(100);
  });
});
