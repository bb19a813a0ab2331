/**
 * One EPCIS event → the native events that give it its meaning for traces and recalls
 * (docs/epcis.md has the table):
 *
 * - ObjectEvent ADD, bizStep commissioning → BatchProduced of each lot and item;
 * - TransformationEvent → BatchProduced of each output with every input (events sharing a
 *   transformationID join);
 * - bizStep shipping / receiving (ObjectEvent, AggregationEvent) → BatchShipped / BatchReceived;
 * - bizStep inspecting / sampling with disposition conformant / non_conformant →
 *   InspectionRecorded PASS / FAIL;
 * - disposition recalled → RecallInitiated;
 * - an errorDeclaration → EventRetracted of what the original event derived.
 *
 * AggregationEvents also state containment (containment.ts); everything else is stored whole
 * and maps to nothing. Pure: what it needs to know comes in `knowledge`.
 */
import type { UnstampedEvent } from '../events/unstamped-event.js';
import { canonicalTime } from './canonical-values.js';
import { containmentFacts } from './containment.js';
import {
  bizStepOf,
  dispositionOf,
  epcsOf,
  quantitiesOf,
  sourcesOrDestinations,
  suyuanExtension,
} from './epcis-event.js';
import {
  empty,
  envelopeOf,
  objectsOf,
  type Learned,
  type MappedEvent,
  type MapRequest,
} from './mapping-request.js';
import { inspectionsOf, recallOf } from './to-native-checks.js';
import { receiptOf, shipmentOf } from './to-native-movements.js';
import { place, type FieldProblem, type Line } from './placement.js';
import { parseGs1Uri } from './gs1-uri.js';

/**
 * The acting party is the caller's: an event whose acting owner is another registered party is
 * refused. The acting owner is the source's owning party — the one giving the goods up, as a
 * shipper does — except when receiving, where the source is rightly the shipper and the acting
 * owner is the destination's.
 */
function forbiddenOwner(request: MapRequest): FieldProblem | undefined {
  const list = bizStepOf(request.event) === 'receiving' ? 'destinationList' : 'sourceList';
  for (const entry of sourcesOrDestinations(request.event, list)) {
    if (entry.type !== 'owning_party') continue;
    const party = request.knowledge.partyOf(entry.id);
    if (party !== undefined && party !== request.caller.partyId) {
      return {
        path: entry.path,
        message: `names party ${party} as the owner acting here; an event is recorded by its own party (the API key's, ${request.caller.partyId})`,
      };
    }
  }
  return undefined;
}

function productOf(request: MapRequest, batchId: string) {
  const gtin = parseGs1Uri(batchId)?.gtin;
  const named = suyuanExtension(request.event, 'productName', request.prefixes);
  const productId = suyuanExtension(request.event, 'productId', request.prefixes);
  const id = gtin ?? (typeof productId === 'string' && productId ? productId : batchId);
  const name =
    (typeof named === 'string' && named) ||
    (gtin && request.knowledge.productName(gtin)) ||
    (gtin ? `GTIN ${gtin}` : id);
  return { id: id.slice(0, 128), name: name.slice(0, 256) };
}

function produced(request: MapRequest, output: Line, inputs: readonly Line[]): UnstampedEvent {
  return {
    eventType: 'BatchProduced',
    ...envelopeOf(request, `produced/${output.batchId}`),
    epcisEventId: request.epcisEventId,
    batchId: output.batchId,
    product: productOf(request, output.batchId),
    quantity: output.quantity,
    unit: output.unit,
    inputs: inputs.map((input) => ({ ...input })),
  };
}

function commissioning(request: MapRequest): MappedEvent {
  const objects = objectsOf(request);
  return {
    ...empty(),
    natives: objects.lines.map((line) => produced(request, line, [])),
    unresolved: objects.unresolved,
    problems: objects.problems,
  };
}

/** The first of each batch: an input named by two events of one transformation counts once. */
const uniqueLines = (lines: readonly Line[]) => [
  ...new Map(lines.map((line) => [line.batchId, line] as const)).values(),
];

function transformation(request: MapRequest): MappedEvent {
  const { event, knowledge } = request;
  const time = canonicalTime(String(event.eventTime));
  const contentsOf = (container: string) => knowledge.contentsAt(container, time);
  const inputs = place(
    epcsOf(event, 'inputEPCList'),
    quantitiesOf(event, 'inputQuantityList'),
    contentsOf,
  );
  const outputs = place(
    epcsOf(event, 'outputEPCList'),
    quantitiesOf(event, 'outputQuantityList'),
    contentsOf,
  );
  const transformationId =
    typeof event.transformationID === 'string' ? event.transformationID : undefined;
  const joined = transformationId
    ? uniqueLines([...knowledge.transformationInputs(transformationId), ...inputs.lines])
    : inputs.lines;
  return {
    ...empty(),
    natives: outputs.lines.map((output) => produced(request, output, joined)),
    unresolved: [...inputs.unresolved, ...outputs.unresolved],
    problems: [...inputs.problems, ...outputs.problems],
    learned: transformationId
      ? { transformation: { id: transformationId, inputs: inputs.lines } }
      : {},
  };
}

function retraction(request: MapRequest): MappedEvent {
  const original = request.knowledge.original(request.epcisEventId);
  if (!original) {
    return {
      ...empty(),
      unresolved: [
        {
          path: 'errorDeclaration',
          id: request.epcisEventId,
          reason:
            'declares an error in an event Suyuan has not captured: recorded, nothing retracted',
        },
      ],
    };
  }
  const declaration = request.event.errorDeclaration as Record<string, unknown>;
  const reason = typeof declaration.reason === 'string' ? declaration.reason : 'error declared';
  const corrective = Array.isArray(declaration.correctiveEventIDs)
    ? ` corrective events: ${declaration.correctiveEventIDs.join(', ')}`
    : '';
  return {
    ...empty(),
    natives: original.derivedEventIds.map((target) => ({
      eventType: 'EventRetracted' as const,
      ...envelopeOf(request, `retracted/${target}`),
      eventTime: canonicalTime(String(declaration.declarationTime)),
      targetEventId: target,
      reason: `EPCIS errorDeclaration of ${request.epcisEventId}: ${reason}.${corrective}`.slice(
        0,
        2000,
      ),
    })),
  };
}

/** Shipping, receiving, inspection and recall apply by bizStep and disposition, each on its own. */
function movementsAndChecks(request: MapRequest): MappedEvent {
  const out = empty();
  const bizStep = bizStepOf(request.event);
  const disposition = dispositionOf(request.event);
  const traced =
    bizStep === 'shipping' ||
    bizStep === 'receiving' ||
    disposition === 'recalled' ||
    ((bizStep === 'inspecting' || bizStep === 'sampling') &&
      (disposition === 'conformant' || disposition === 'non_conformant'));
  if (!traced || request.event.action === 'DELETE') return out;
  const objects = objectsOf(request);
  const natives: UnstampedEvent[] = [];
  let learned: Learned = {};
  if (bizStep === 'shipping') {
    const shipment = shipmentOf(request, objects.lines);
    if (shipment) {
      natives.push(shipment);
      learned = { shipment: { shipmentId: shipment.shipmentId, shipper: request.caller.partyId } };
    }
  }
  if (bizStep === 'receiving') {
    const receipt = receiptOf(request, objects.lines);
    if (receipt) natives.push(receipt);
  }
  natives.push(...inspectionsOf(request, objects.lines));
  const recall = recallOf(request, objects.lines);
  if (recall) natives.push(recall);
  return { ...out, natives, unresolved: objects.unresolved, problems: objects.problems, learned };
}

export function mapEpcisEvent(request: MapRequest): MappedEvent {
  const forbidden = forbiddenOwner(request);
  if (forbidden) return { ...empty(), forbidden };
  const { event } = request;
  if (event.errorDeclaration !== undefined) return retraction(request);
  let mapped: MappedEvent;
  if (event.type === 'TransformationEvent') mapped = transformation(request);
  else if (
    event.type === 'ObjectEvent' &&
    event.action === 'ADD' &&
    bizStepOf(event) === 'commissioning'
  ) {
    mapped = commissioning(request);
  } else if (event.type === 'ObjectEvent' || event.type === 'AggregationEvent') {
    mapped = movementsAndChecks(request);
  } else mapped = empty();
  const time = canonicalTime(String(event.eventTime));
  const containment = containmentFacts(event, time, request.epcisEventId);
  return {
    ...mapped,
    learned: {
      ...mapped.learned,
      ...(containment.length > 0 ? { containment } : {}),
      original: {
        epcisEventId: request.epcisEventId,
        party: request.caller.partyId,
        derivedEventIds: mapped.natives.map((native) => native.eventId),
      },
    },
  };
}

export {
  derivedEventId,
  epcisRecordEventId,
  type Caller,
  type MappedEvent,
} from './mapping-request.js';
