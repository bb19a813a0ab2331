/**
 * Random supply-chain histories for property tests of the trace reads: few batch ids, so that
 * diamonds, cycles (rework), competing BatchProduced claims, in-transit shipments, receipts with
 * no shipment, retractions (of any event, retractions included), recalls and captured EPCIS events
 * with unresolved links (some declared in error) all turn up.
 * Events are complete log events (party and recordedAt set), in log order.
 */
import fc from 'fast-check';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';

const BATCHES = ['B0', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11'];
const PARTIES = ['farm', 'plant', 'brand', 'shop', 'lab'];

const batchId = fc.constantFrom(...BATCHES);
const party = fc.constantFrom(...PARTIES);
/** Minutes after a fixed start, with ties, so orderings must fall back to the ids. */
const minute = fc.integer({ min: 0, max: 40 });
const quantity = fc.constantFrom(1, 2.5, 10, 40, 1e-3);

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 1) + minutes * 60_000).toISOString();

type Draft = (index: number, events: readonly SuyuanEvent[]) => SuyuanEvent;

const envelope = (index: number, eventType: string, who: string, time: number) => ({
  eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  eventType,
  eventTime: at(time),
  recordedAt: at(time + (index % 3)),
  party: who,
  location: index % 4 === 0 ? { gln: null, siteId: `site-${index % 3}`, name: null } : null,
  operator: index % 2 === 0 ? `operator-${index % 5}` : null,
});

const lines = fc.uniqueArray(fc.record({ batchId, quantity }), {
  minLength: 1,
  maxLength: 3,
  selector: (line) => line.batchId,
});

const produced = fc
  .record({
    who: party,
    time: minute,
    batch: batchId,
    inputs: fc.uniqueArray(fc.record({ batchId, quantity }), {
      maxLength: 3,
      selector: (input) => input.batchId,
    }),
  })
  .map(
    ({ who, time, batch, inputs }): Draft =>
      (index) =>
        ({
          ...envelope(index, 'BatchProduced', who, time),
          batchId: batch,
          product: { id: `P-${batch}`, name: `product ${batch}` },
          quantity: 100,
          unit: 'kg',
          inputs: inputs.map((input) => ({ ...input, unit: index % 2 ? 'kg' : null })),
        }) as SuyuanEvent,
  );

const shipmentId = fc.constantFrom('S1', 'S2', 'S3', 'S4');

const shipped = fc.record({ who: party, to: party, time: minute, shipment: shipmentId, lines }).map(
  ({ who, to, time, shipment, lines: shippedLines }): Draft =>
    (index) =>
      ({
        ...envelope(index, 'BatchShipped', who, time),
        shipmentId: shipment,
        to,
        lines: shippedLines.map((line) => ({ ...line, unit: 'kg' })),
        epcisEventId: null,
        referenceDocuments: [],
      }) as SuyuanEvent,
);

const received = fc
  .record({ who: party, from: party, time: minute, shipment: shipmentId, lines })
  .map(
    ({ who, from, time, shipment, lines: receivedLines }): Draft =>
      (index) =>
        ({
          ...envelope(index, 'BatchReceived', who, time),
          shipmentId: shipment,
          from,
          lines: receivedLines.map((line) => ({ ...line, unit: 'kg' })),
          epcisEventId: null,
          referenceDocuments: [],
        }) as SuyuanEvent,
  );

const inspected = fc
  .record({
    who: party,
    time: minute,
    batch: batchId,
    result: fc.constantFrom('PASS', 'FAIL'),
    inspectionId: fc.option(fc.constantFrom('I1', 'I2'), { nil: null }),
  })
  .map(
    ({ who, time, batch, result, inspectionId }): Draft =>
      (index) =>
        ({
          ...envelope(index, 'InspectionRecorded', who, time),
          inspectionId,
          batchId: batch,
          kind: 'THIRD_PARTY',
          result,
          findings: [{ item: 'aflatoxin M1', value: '0.1', limit: '0.5', unit: 'μg/kg' }],
          standard: index % 2 ? 'GB 2761-2017' : null,
          report: null,
        }) as SuyuanEvent,
  );

/**
 * Recall ids come from a small set, so that recalls compete for an id, are closed, reopened by a
 * retraction of their closure, and named by notices.
 */
const recallId = fc.constantFrom('R0', 'R1', 'R2');

const recalled = fc
  .record({
    time: minute,
    roots: fc.uniqueArray(batchId, { minLength: 1, maxLength: 2 }),
    recall: recallId,
  })
  .map(
    ({ time, roots, recall }): Draft =>
      (index) =>
        ({
          ...envelope(index, 'RecallInitiated', 'regulator', time),
          recallId: recall,
          rootBatchIds: roots,
          level: 1 + (index % 3),
          mode: 'ORDERED',
          reason: `property test ${index}`,
        }) as SuyuanEvent,
  );

const noticed = fc.record({ time: minute, lines, recipient: party, recall: recallId }).map(
  ({ time, lines: noticeLines, recipient, recall }): Draft =>
    (index) =>
      ({
        ...envelope(index, 'RecallNoticeIssued', 'suyuan', time),
        noticeId: `N${index}`,
        recallId: recall,
        recipient,
        batches: noticeLines.map((line) => ({ ...line, unit: 'kg' })),
        deadline: at(time + 60),
        actions: [],
      }) as SuyuanEvent,
);

const closed = fc.record({ time: minute, recall: recallId }).map(
  ({ time, recall }): Draft =>
    (index) =>
      ({
        ...envelope(index, 'RecallClosed', 'regulator', time),
        recallId: recall,
        reason: 'property test',
      }) as SuyuanEvent,
);

/** Retracts an earlier event, chosen by position; the first event when there is none yet. */
const retraction = fc.record({ time: minute, pick: fc.nat() }).map(
  ({ time, pick }): Draft =>
    (index, events) =>
      ({
        ...envelope(index, 'EventRetracted', 'regulator', time),
        targetEventId: events.length > 0 ? events[pick % events.length]?.eventId : 'none',
        reason: 'property test',
      }) as SuyuanEvent,
);

/**
 * EPCIS events come from a small set of ids, so that one is captured, declared in error, and
 * declared without having been captured. A second capture of a standing event declares it: a
 * capture of the same event again is the same record (its id is derived from the EPCIS eventID).
 */
const epcisEventId = fc.constantFrom('urn:uuid:e0', 'urn:uuid:e1', 'urn:uuid:e2');
const unresolvedLink = fc.record({
  path: fc.constantFrom('inputQuantityList[0].epcClass', 'outputEPCList[1]', 'parentID'),
  id: fc.constantFrom('urn:epc:idpat:sgtin:4012345.077889.*', 'urn:epc:id:sscc:4012345.0000000001'),
  reason: fc.constantFrom('class-pattern', 'unknown-content'),
});

const captured = fc
  .record({
    time: minute,
    epcis: epcisEventId,
    declares: fc.boolean(),
    picks: fc.array(fc.nat(), { maxLength: 3 }),
    links: fc.array(unresolvedLink, { maxLength: 3 }),
  })
  .map(({ time, epcis, declares, picks, links }): Draft => (index, events) => {
    const standing = events.some(
      (event) =>
        event.eventType === 'EpcisEventCaptured' &&
        event.epcisEventId === epcis &&
        !event.event.includes('errorDeclaration'),
    );
    const declaration = declares || standing;
    const event = declaration
      ? {
          type: 'ObjectEvent',
          action: 'OBSERVE',
          errorDeclaration: { declarationTime: at(time), reason: 'incorrect_data' },
        }
      : { type: 'ObjectEvent', action: 'OBSERVE' };
    const derived = declaration
      ? []
      : [
          ...new Set(
            picks.map((pick) => events[pick % Math.max(events.length, 1)]?.eventId ?? 'none'),
          ),
        ];
    return {
      ...envelope(index, 'EpcisEventCaptured', 'lab', time),
      epcisEventId: epcis,
      eventHash: `ni:///sha-256;${String(index).padStart(64, '0')}?ver=CBV2.0`,
      epcisEventType: 'ObjectEvent',
      event: JSON.stringify(event),
      context: '[]',
      captureId: null,
      derivedEventIds: derived,
      unresolved: links,
    } as SuyuanEvent;
  });

const draft = fc.oneof(
  { weight: 6, arbitrary: produced },
  { weight: 3, arbitrary: shipped },
  { weight: 2, arbitrary: received },
  { weight: 2, arbitrary: inspected },
  { weight: 1, arbitrary: recalled },
  { weight: 1, arbitrary: noticed },
  { weight: 1, arbitrary: closed },
  { weight: 2, arbitrary: retraction },
  { weight: 2, arbitrary: captured },
);

/** A history of 1–60 events, in log order. */
export const historyArbitrary: fc.Arbitrary<SuyuanEvent[]> = fc
  .array(draft, { minLength: 1, maxLength: 60, size: 'large' })
  .map((drafts) => {
    const events: SuyuanEvent[] = [];
    drafts.forEach((make, index) => events.push(make(index, events)));
    return events;
  });

export const ALL_RECALL_IDS: readonly string[] = ['R0', 'R1', 'R2', 'R-never'];
export const ALL_BATCH_IDS: readonly string[] = [...BATCHES, 'never-named'];
export const someBatchIds = fc.uniqueArray(fc.constantFrom(...ALL_BATCH_IDS), {
  minLength: 1,
  maxLength: 8,
  size: 'large',
});
