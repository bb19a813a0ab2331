import { describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../../../services/common/events/event-types.generated.js';
import { projectEvents } from '../../../../services/common/projection/projection.js';

type Captured = Extract<SuyuanEvent, { eventType: 'EpcisEventCaptured' }>;

const SSCC = 'https://id.gs1.org/00/106141412345678908';
const LOT = 'https://id.gs1.org/01/04012345123456/10/998877';

function captured(event: Record<string, unknown>, overrides: Partial<Captured> = {}): Captured {
  return {
    eventType: 'EpcisEventCaptured',
    eventId: '00000000-0000-4000-8000-0000000000e1',
    eventTime: '2026-11-20T08:00:00.000Z',
    recordedAt: '2026-11-20T08:00:01.000Z',
    party: 'plant-1',
    location: null,
    operator: null,
    epcisEventId: 'urn:uuid:e1',
    eventHash: 'ni:///sha-256;00?ver=CBV2.0',
    epcisEventType: String(event.type),
    event: JSON.stringify(event),
    context: '[]',
    captureId: null,
    derivedEventIds: ['00000000-0000-4000-8000-0000000000f1'],
    unresolved: [],
    ...overrides,
  };
}

const aggregation = {
  type: 'AggregationEvent',
  eventTime: '2026-11-20T16:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  parentID: 'urn:epc:id:sscc:0614141.1234567890',
  childEPCs: ['urn:epc:id:sgtin:0614141.107346.2017'],
  childQuantityList: [
    { epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 200.5, uom: 'KGM' },
  ],
  action: 'ADD',
  bizStep: 'https://ref.gs1.org/cbv/BizStep-packing',
};

describe('projection of a captured EPCIS event', () => {
  it('stores the event as captured with its query columns, in canonical form', () => {
    const rows = projectEvents([captured(aggregation)]);
    expect(rows.epcis_events).toEqual([
      expect.objectContaining({
        epcis_event_id: 'urn:uuid:e1',
        event_type: 'AggregationEvent',
        action: 'ADD',
        biz_step: 'packing',
        declared: 0,
        event: JSON.stringify(aggregation),
      }),
    ]);
    expect(rows.epcis_event_ids.map((row) => [row.role, row.id])).toEqual([
      ['epc', 'https://id.gs1.org/01/10614141073464/21/2017'],
      ['parentID', SSCC],
      ['epcClass', LOT],
    ]);
    // Every row names the record that wrote it: the projector takes a refused record's rows out so.
    const record = rows.events[0]?.event_id;
    for (const table of ['epcis_event_ids', 'epcis_containment', 'epcis_events'] as const) {
      expect(new Set(rows[table].map((row) => row.event_id)), table).toEqual(new Set([record]));
    }
  });

  it('records what an aggregation puts into its container, and when', () => {
    const rows = projectEvents([captured(aggregation)]);
    expect(rows.epcis_containment).toEqual([
      expect.objectContaining({
        parent: SSCC,
        child: 'https://id.gs1.org/01/10614141073464/21/2017',
        quantity: null,
      }),
      expect.objectContaining({
        parent: SSCC,
        child: LOT,
        quantity: 200.5,
        unit: 'kg',
        action: 'ADD',
        at: '2026-11-20T08:00:00.000Z',
      }),
    ]);
  });

  it('lets an error declaration replace the event and state no containment', () => {
    const declared = {
      ...aggregation,
      errorDeclaration: { declarationTime: '2026-11-21T00:00:00Z', reason: 'incorrect_data' },
    };
    const rows = projectEvents([
      captured(declared, { eventId: '00000000-0000-4000-8000-0000000000e2' }),
    ]);
    expect(rows.epcis_events).toEqual([
      expect.objectContaining({
        declared: 1,
        error_reason: 'incorrect_data',
        error_declaration_time: '2026-11-21T00:00:00.000Z',
      }),
    ]);
    expect(rows.epcis_containment).toEqual([]);
  });

  it('keeps the inputs of a transformation for later events sharing its transformationID', () => {
    const transformation = {
      type: 'TransformationEvent',
      eventTime: '2026-11-20T08:00:00Z',
      eventTimeZoneOffset: '+00:00',
      transformationID: 'urn:uuid:t1',
      inputQuantityList: [
        { epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 10, uom: 'KGM' },
      ],
    };
    const rows = projectEvents([captured(transformation)]);
    expect(rows.epcis_transformation_inputs).toEqual([
      {
        transformation_id: 'urn:uuid:t1',
        batch_id: LOT,
        quantity: 10,
        unit: 'kg',
        epcis_event_id: 'urn:uuid:e1',
        event_id: rows.events[0]?.event_id,
      },
    ]);
  });
});
