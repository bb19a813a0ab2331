/**
 * Pure projection of an EpcisEventCaptured record into the EPCIS tables
 * (infra/clickhouse/0007_epcis.sql): the event as captured with the columns the EPCIS query
 * filters on, its identifiers by role, its containment facts, its transformation inputs and its
 * unresolved links.
 */
import { shortTerm } from '../epcis/cbv.js';
import { canonicalTime } from '../epcis/canonical-values.js';
import { containmentFacts } from '../epcis/containment.js';
import {
  epcsOf,
  idsByRole,
  locationId,
  quantitiesOf,
  type EpcisEvent,
} from '../epcis/epcis-event.js';
import { place } from '../epcis/placement.js';
import { epcisAttributes, isExported } from '../epcis/from-native.js';
import type { SuyuanEvent } from '../events/event-types.generated.js';

export type EpcisTable =
  | 'epcis_native_events'
  | 'epcis_events'
  | 'epcis_event_ids'
  | 'epcis_containment'
  | 'epcis_transformation_inputs'
  | 'epcis_unresolved';

export type EpcisRows = Record<EpcisTable, Array<Record<string, unknown>>>;

export const emptyEpcisRows = (): EpcisRows => ({
  epcis_native_events: [],
  epcis_events: [],
  epcis_event_ids: [],
  epcis_containment: [],
  epcis_transformation_inputs: [],
  epcis_unresolved: [],
});

type Captured = Extract<SuyuanEvent, { eventType: 'EpcisEventCaptured' }>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function parseEvent(json: string): EpcisEvent {
  try {
    const parsed = JSON.parse(json) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as EpcisEvent) : {};
  } catch {
    return {};
  }
}

function declarationOf(event: EpcisEvent) {
  const declaration = event.errorDeclaration as Record<string, unknown> | undefined;
  if (typeof declaration !== 'object' || declaration === null) return undefined;
  return {
    time: canonicalTime(text(declaration.declarationTime)),
    reason: shortTerm('errorReason', text(declaration.reason)),
    corrective: Array.isArray(declaration.correctiveEventIDs)
      ? declaration.correctiveEventIDs.filter((id): id is string => typeof id === 'string')
      : [],
  };
}

export function projectEpcisCaptured(record: Captured, rows: EpcisRows): void {
  const event = parseEvent(record.event);
  const declaration = declarationOf(event);
  // Every row names the EPCIS event and the record that wrote it (the projector's key).
  const keys = { epcis_event_id: record.epcisEventId, event_id: record.eventId };
  rows.epcis_events.push({
    epcis_event_id: record.epcisEventId,
    event_id: record.eventId,
    declared: declaration ? 1 : 0,
    event_type: record.epcisEventType,
    event_time: record.eventTime,
    record_time: record.recordedAt,
    party: record.party,
    action: text(event.action),
    biz_step: shortTerm('bizStep', text(event.bizStep)),
    disposition: shortTerm('disposition', text(event.disposition)),
    read_point: locationId(event, 'readPoint') ?? '',
    biz_location: locationId(event, 'bizLocation') ?? '',
    transformation_id: text(event.transformationID),
    error_declaration_time: declaration?.time ?? null,
    error_reason: declaration?.reason ?? '',
    corrective_event_ids: declaration?.corrective ?? [],
    derived_event_ids: record.derivedEventIds,
    capture_id: record.captureId ?? '',
    event: record.event,
    context: record.context,
  });
  for (const [role, ids] of Object.entries(idsByRole(event))) {
    for (const id of ids) rows.epcis_event_ids.push({ id, role, ...keys });
  }
  for (const link of record.unresolved) rows.epcis_unresolved.push({ ...link, ...keys });
  if (declaration) return; // a declared event states nothing further
  for (const fact of containmentFacts(event, record.eventTime, record.epcisEventId)) {
    rows.epcis_containment.push({
      parent: fact.parent,
      child: fact.child ?? '',
      quantity: fact.quantity,
      unit: fact.unit,
      action: fact.action,
      at: fact.at,
      ...keys,
    });
  }
  const transformationId = text(event.transformationID);
  if (transformationId) {
    // Inside a document capture opens containers among the inputs; across documents the items
    // and lots named directly join.
    const inputs = place(
      epcsOf(event, 'inputEPCList'),
      quantitiesOf(event, 'inputQuantityList'),
      () => [],
    );
    for (const line of inputs.lines) {
      rows.epcis_transformation_inputs.push({
        transformation_id: transformationId,
        batch_id: line.batchId,
        quantity: line.quantity,
        unit: line.unit,
        ...keys,
      });
    }
  }
}

/** A native event's place in the EPCIS query: its time and the attributes its export has. */
export function projectNativeForEpcis(event: SuyuanEvent, rows: EpcisRows): void {
  if (!isExported(event)) return;
  // An event derived from a captured EPCIS event is answered as that event, as it came.
  if ('epcisEventId' in event && event.epcisEventId !== null) return;
  const attributes = epcisAttributes(event);
  const location = event.location;
  rows.epcis_native_events.push({
    event_time: event.eventTime,
    event_id: event.eventId,
    recorded_at: event.recordedAt,
    party: event.party,
    native_type: event.eventType,
    epcis_type: attributes.type,
    action: attributes.action,
    biz_step: attributes.bizStep,
    disposition: attributes.disposition,
    biz_location: location?.gln ? `https://id.gs1.org/414/${location.gln}` : '',
  });
}
