import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';

const envelope = (eventId: string, party = 'plant-1') => ({
  eventId,
  eventTime: '2026-11-20T08:00:00.000Z',
  recordedAt: '2026-11-20T08:00:01.000Z',
  party,
  location: { gln: '6901234000017', siteId: 'line-2', name: '二号车间' },
  operator: '王建国',
});

/** One complete event of every type, as the log carries them. */
export function sampleEvents(): SuyuanEvent[] {
  return [
    {
      eventType: 'BatchProduced',
      ...envelope('00000000-0000-4000-8000-000000000001'),
      epcisEventId: null,
      location: { gln: '6901234000017', siteId: 'line-2', name: '二号车间', region: '330106' },
      batchId: 'B-1',
      product: { id: '06901234567892', name: '全脂乳粉 Whole milk powder' },
      quantity: 1200,
      unit: 'kg',
      inputs: [
        { batchId: 'RAW-1', quantity: 9000, unit: 'kg' },
        { batchId: 'RAW-2', quantity: 800, unit: null },
      ],
    },
    {
      eventType: 'BatchShipped',
      ...envelope('00000000-0000-4000-8000-000000000002'),
      epcisEventId: null,
      shipmentId: 'S-1',
      to: 'dist-1',
      lines: [{ batchId: 'B-1', quantity: 400, unit: 'kg' }],
      referenceDocuments: [
        { type: 'BILL_OF_LADING', number: 'BOL-2026-0042' },
        { type: 'INVOICE', number: '发票 44031234' },
      ],
    },
    {
      eventType: 'BatchReceived',
      ...envelope('00000000-0000-4000-8000-000000000003', 'dist-1'),
      epcisEventId: 'urn:uuid:6e9f3c7a-1b2d-4e5f-8a9b-0c1d2e3f4a5b',
      location: null,
      operator: null,
      shipmentId: 'S-1',
      from: 'plant-1',
      lines: [{ batchId: 'B-1', quantity: 400, unit: 'kg' }],
      referenceDocuments: [
        { type: 'BILL_OF_LADING', number: 'urn:epcglobal:cbv:bt:6901234000017:BOL-2026-0042' },
        { type: 'OTHER', number: 'urn:example:goods-receipt:GR-7' },
      ],
    },
    {
      eventType: 'InspectionRecorded',
      ...envelope('00000000-0000-4000-8000-000000000004', 'lab-1'),
      epcisEventId: null,
      inspectionId: 'INS-1',
      batchId: 'B-1',
      kind: 'SUPERVISORY_SAMPLING',
      result: 'FAIL',
      findings: [
        { item: '黄曲霉毒素M1 aflatoxin M1', value: 0.8, limit: '0.5', unit: 'μg/kg' },
        { item: '三聚氰胺 melamine', value: '未检出', limit: '2.5', unit: 'mg/kg' },
      ],
      standard: 'GB 2761-2017',
      report: 'SAMR-2026-0193',
      hazard: '黄曲霉毒素M1 aflatoxin M1',
    },
    {
      eventType: 'DefectReported',
      ...envelope('00000000-0000-4000-8000-000000000005', 'lab-1'),
      defectId: 'D-1',
      batchIds: ['B-1'],
      source: 'INSPECTION',
      severity: 'CRITICAL',
      hazard: 'aflatoxin M1 above limit',
      description: null,
    },
    {
      eventType: 'RecallInitiated',
      ...envelope('00000000-0000-4000-8000-000000000006'),
      epcisEventId: null,
      recallId: 'R-1',
      rootBatchIds: ['B-1'],
      level: 1,
      mode: 'VOLUNTARY',
      reason: 'aflatoxin M1 above limit',
    },
    {
      eventType: 'RecallNoticeIssued',
      ...envelope('00000000-0000-4000-8000-000000000007', 'suyuan-recall'),
      noticeId: 'N-1',
      recallId: 'R-1',
      recipient: 'dist-1',
      batches: [{ batchId: 'B-1', quantity: 400, unit: 'kg' }],
      deadline: '2026-11-21T08:00:00.000Z',
      actions: ['STOP_SALE', 'QUARANTINE'],
    },
    {
      eventType: 'RecallAcknowledged',
      ...envelope('00000000-0000-4000-8000-000000000008', 'dist-1'),
      noticeId: 'N-1',
      note: '已封存 sealed',
    },
    {
      eventType: 'RecallProgressReported',
      ...envelope('00000000-0000-4000-8000-000000000009', 'dist-1'),
      noticeId: 'N-1',
      recovered: 380,
      destroyed: 20,
      unit: 'kg',
      note: null,
    },
    {
      eventType: 'RecallClosed',
      ...envelope('00000000-0000-4000-8000-00000000000a', 'samr'),
      recallId: 'R-1',
      reason: 'all stock recovered',
    },
    {
      eventType: 'EventRetracted',
      ...envelope('00000000-0000-4000-8000-00000000000b'),
      targetEventId: '00000000-0000-4000-8000-000000000002',
      reason: 'wrong quantity',
    },
    {
      eventType: 'EpcisEventCaptured',
      ...envelope('00000000-0000-4000-8000-00000000000c', 'dist-1'),
      epcisEventId: 'urn:uuid:6e9f3c7a-1b2d-4e5f-8a9b-0c1d2e3f4a5b',
      eventHash:
        'ni:///sha-256;1f1c7cbe61e2f3a0c4c4e5b0f2b4b3c1d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1?ver=CBV2.0',
      epcisEventType: 'ObjectEvent',
      event: JSON.stringify({
        eventID: 'urn:uuid:6e9f3c7a-1b2d-4e5f-8a9b-0c1d2e3f4a5b',
        type: 'ObjectEvent',
        eventTime: '2026-11-20T16:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        bizStep: 'receiving',
        quantityList: [
          { epcClass: 'https://id.gs1.org/01/06901234567892/10/B-1', quantity: 400, uom: 'KGM' },
        ],
      }),
      context: JSON.stringify(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld']),
      captureId: '0b6f2a1e-7c3d-4e8f-9a0b-1c2d3e4f5a6b',
      derivedEventIds: ['00000000-0000-4000-8000-00000000000d'],
      unresolved: [
        {
          path: 'quantityList[1].epcClass',
          id: 'https://id.gs1.org/01/06901234567892',
          reason: 'a class without a lot or serial: no trace can place it',
        },
      ],
    },
  ];
}
