/**
 * Native events as EPCIS 2.0 events (the export): the mapping table of docs/epcis.md read
 * backwards. A batch of a product whose id is a valid GTIN is the LGTIN `…/01/{GTIN}/10/{batch}`
 * when its id can be a lot number (GS1 AI 10: up to 20 characters of the GS1 character set),
 * a batch whose id already is a GS1 Digital Link keeps it, any other is `urn:suyuan:batch:{id}`.
 * What EPCIS has no field for — the operator (责任人), inspection kind and findings, recalls and
 * their notices — travels under Suyuan's namespace (`suyuan:`, SUYUAN_NAMESPACE).
 */
import type { SuyuanEvent } from '../events/event-types.generated.js';
import { gtin14 } from './check-digits.js';
import { parseGs1Uri } from './gs1-uri.js';
import { documentTransactions } from './reference-documents.js';
import { batchUri, partyUri, shipmentUri } from './suyuan-uris.js';
import { uomCode } from './units.js';

export type ExportedEventType = Exclude<
  SuyuanEvent['eventType'],
  'EpcisEventCaptured' | 'EventRetracted'
>;
type Exported = Extract<SuyuanEvent, { eventType: ExportedEventType }>;

/** GS1 AI 10 (batch/lot): 1–20 characters of GS1 AI encodable character set 82. */
const LOT = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** The EPCIS identifier of a native batch, given its product id. */
export function batchEpc(batchId: string, productId: string | null): string {
  if (parseGs1Uri(batchId)) return batchId;
  const gtin = productId === null ? undefined : gtin14(productId);
  if (gtin && LOT.test(batchId)) {
    return `https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(batchId)}`;
  }
  return batchUri(batchId);
}

/** What an export needs beyond the event: the product of each batch it names. */
export type ProductOf = (batchId: string) => string | null;

/** A retraction of the event, shown as its EPCIS error declaration. */
export interface Retraction {
  readonly at: string;
  readonly reason: string;
}

/** The EPCIS attributes a query filters native events by (projected per event). */
export interface EpcisAttributes {
  readonly type: 'ObjectEvent' | 'TransformationEvent';
  readonly action: 'ADD' | 'OBSERVE' | '';
  readonly bizStep: string;
  readonly disposition: string;
}

export function epcisAttributes(event: Exported): EpcisAttributes {
  switch (event.eventType) {
    case 'BatchProduced':
      return event.inputs.length > 0
        ? {
            type: 'TransformationEvent',
            action: '',
            bizStep: 'commissioning',
            disposition: 'active',
          }
        : { type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active' };
    case 'BatchShipped':
      return {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
      };
    case 'BatchReceived':
      return {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'receiving',
        disposition: 'in_progress',
      };
    case 'InspectionRecorded':
      return {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: event.kind === 'SUPERVISORY_SAMPLING' ? 'sampling' : 'inspecting',
        disposition: event.result === 'PASS' ? 'conformant' : 'non_conformant',
      };
    case 'DefectReported':
      return { type: 'ObjectEvent', action: 'OBSERVE', bizStep: '', disposition: 'non_conformant' };
    case 'RecallInitiated':
    case 'RecallNoticeIssued':
      return { type: 'ObjectEvent', action: 'OBSERVE', bizStep: '', disposition: 'recalled' };
    case 'RecallAcknowledged':
    case 'RecallProgressReported':
    case 'RecallClosed':
      return { type: 'ObjectEvent', action: 'OBSERVE', bizStep: '', disposition: '' };
  }
}

const quantityElement = (
  batchId: string,
  quantity: number | null,
  unit: string | null,
  productOf: ProductOf,
) => {
  const code = unit === null ? undefined : uomCode(unit);
  return {
    epcClass: batchEpc(batchId, productOf(batchId)),
    ...(quantity === null ? {} : { quantity }),
    ...(code ? { uom: code } : {}),
  };
};

/** Units with no UN/ECE code: kept per line under `suyuan:unit`, else the quantity would lie. */
const oddUnits = (lines: ReadonlyArray<{ batchId: string; unit: string | null }>) => {
  const odd = lines.filter((line) => line.unit !== null && uomCode(line.unit) === undefined);
  return odd.length === 0
    ? {}
    : { 'suyuan:units': odd.map((line) => ({ batch: line.batchId, unit: line.unit })) };
};

function whatOf(event: Exported, productOf: ProductOf): Record<string, unknown> {
  const lines = (
    list: ReadonlyArray<{ batchId: string; quantity: number; unit: string | null }>,
  ) => ({
    quantityList: list.map((line) =>
      quantityElement(line.batchId, line.quantity, line.unit, productOf),
    ),
    ...oddUnits(list),
  });
  switch (event.eventType) {
    case 'BatchProduced': {
      const output = { batchId: event.batchId, quantity: event.quantity, unit: event.unit };
      if (event.inputs.length === 0) return lines([output]);
      return {
        transformationID: `urn:uuid:${event.eventId}`,
        inputQuantityList: event.inputs.map((input) =>
          quantityElement(input.batchId, input.quantity, input.unit, productOf),
        ),
        outputQuantityList: [quantityElement(event.batchId, event.quantity, event.unit, productOf)],
        ...oddUnits([...event.inputs, output]),
      };
    }
    case 'BatchShipped':
    case 'BatchReceived':
      return lines(event.lines);
    case 'RecallNoticeIssued':
      return lines(event.batches);
    case 'InspectionRecorded':
      return { quantityList: [quantityElement(event.batchId, null, null, productOf)] };
    case 'DefectReported':
      return {
        quantityList: event.batchIds.map((id) => quantityElement(id, null, null, productOf)),
      };
    case 'RecallInitiated':
      return {
        quantityList: event.rootBatchIds.map((id) => quantityElement(id, null, null, productOf)),
      };
    case 'RecallAcknowledged':
    case 'RecallProgressReported':
    case 'RecallClosed':
      return { epcList: [] };
  }
}

const party = (id: string) => partyUri(id);

function whyOf(event: Exported): Record<string, unknown> {
  switch (event.eventType) {
    case 'BatchShipped':
      return {
        bizTransactionList: [
          { type: 'desadv', bizTransaction: shipmentUri(event.shipmentId) },
          ...documentTransactions(event.referenceDocuments),
        ],
        sourceList: [{ type: 'owning_party', source: party(event.party) }],
        destinationList: [{ type: 'owning_party', destination: party(event.to) }],
      };
    case 'BatchReceived':
      return {
        bizTransactionList: [
          { type: 'desadv', bizTransaction: shipmentUri(event.shipmentId) },
          ...documentTransactions(event.referenceDocuments),
        ],
        sourceList: [{ type: 'owning_party', source: party(event.from) }],
        destinationList: [{ type: 'owning_party', destination: party(event.party) }],
      };
    case 'InspectionRecorded':
      return {
        'suyuan:inspectionId': event.inspectionId ?? event.eventId,
        'suyuan:inspectionKind': event.kind,
        'suyuan:findings': event.findings,
        ...(event.standard ? { 'suyuan:standard': event.standard } : {}),
        ...(event.report ? { 'suyuan:report': event.report } : {}),
      };
    case 'DefectReported':
      return {
        'suyuan:defect': {
          defectId: event.defectId,
          source: event.source,
          severity: event.severity,
          hazard: event.hazard,
          ...(event.description ? { description: event.description } : {}),
          // A consumer complaint's record (v2): no personal data of the consumer is in it.
          ...(event.complaint ? { complaint: event.complaint } : {}),
        },
      };
    case 'RecallInitiated':
      return {
        'suyuan:recallId': event.recallId,
        'suyuan:recallLevel': event.level,
        'suyuan:recallMode': event.mode,
        'suyuan:recallReason': event.reason,
      };
    case 'RecallNoticeIssued':
      return {
        destinationList: [{ type: 'owning_party', destination: party(event.recipient) }],
        'suyuan:recallNotice': {
          noticeId: event.noticeId,
          recallId: event.recallId,
          deadline: event.deadline,
          actions: event.actions,
        },
      };
    case 'RecallAcknowledged':
      return { 'suyuan:recallAcknowledged': { noticeId: event.noticeId, note: event.note } };
    case 'RecallProgressReported':
      return {
        'suyuan:recallProgress': {
          noticeId: event.noticeId,
          recovered: event.recovered,
          destroyed: event.destroyed,
          unit: event.unit,
          note: event.note,
        },
      };
    case 'RecallClosed':
      return { 'suyuan:recallClosed': { recallId: event.recallId, reason: event.reason } };
    case 'BatchProduced':
      return { 'suyuan:product': event.product };
  }
}

function whereOf(event: Exported): Record<string, unknown> {
  const location = event.location;
  if (!location?.gln) return location?.siteId ? { 'suyuan:site': location.siteId } : {};
  const extension = location.siteId
    ? `/254/${encodeURIComponent(location.siteId.slice(0, 20))}`
    : '';
  return { bizLocation: { id: `https://id.gs1.org/414/${location.gln}${extension}` } };
}

/** A native event as an EPCIS 2.0 event (an element of an EPCISQueryDocument's eventList). */
export function nativeToEpcis(
  event: Exported,
  productOf: ProductOf,
  retraction?: Retraction,
): Record<string, unknown> {
  const attributes = epcisAttributes(event);
  return {
    type: attributes.type,
    eventID: `urn:uuid:${event.eventId}`,
    eventTime: event.eventTime,
    recordTime: event.recordedAt,
    eventTimeZoneOffset: '+00:00',
    ...whatOf(event, productOf),
    ...(attributes.action ? { action: attributes.action } : {}),
    ...(attributes.bizStep ? { bizStep: attributes.bizStep } : {}),
    ...(attributes.disposition ? { disposition: attributes.disposition } : {}),
    ...whereOf(event),
    ...whyOf(event),
    'suyuan:party': event.party,
    ...(event.operator ? { 'suyuan:operator': event.operator } : {}),
    ...(retraction
      ? {
          errorDeclaration: {
            declarationTime: retraction.at,
            reason: 'incorrect_data',
            'suyuan:reason': retraction.reason,
          },
        }
      : {}),
  };
}

export const isExported = (event: SuyuanEvent): event is Exported =>
  event.eventType !== 'EpcisEventCaptured' && event.eventType !== 'EventRetracted';
