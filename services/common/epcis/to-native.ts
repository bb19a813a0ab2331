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
import { bizStepOf, dispositionOf, sourcesOrDestinations } from './epcis-event.js';
import {
  empty,
  envelopeOf,
  objectsOf,
  type Learned,
  type MappedEvent,
  type MapRequest,
} from './mapping-request.js';
import { inspectionsOf, recallOf } from './to-native-checks.js';
import { asOutput, productionsOf } from './to-native-production.js';
import { transformation, withdrawTransformation } from './to-native-transformation.js';
import { receiptOf, shipmentOf } from './to-native-movements.js';
import type { FieldProblem } from './placement.js';

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

function commissioning(request: MapRequest): MappedEvent {
  const objects = objectsOf(request);
  const productions = productionsOf(request, objects.lines, [], 'epcList');
  return {
    ...empty(),
    natives: productions.natives,
    unresolved: [...objects.unresolved, ...productions.unresolved],
    problems: objects.problems,
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
  const retractions = original.derivedEventIds.map((target) => ({
    eventType: 'EventRetracted' as const,
    ...envelopeOf(request, `retracted/${target}`),
    eventTime: canonicalTime(String(declaration.declarationTime)),
    targetEventId: target,
    reason: `EPCIS errorDeclaration of ${request.epcisEventId}: ${reason}.${corrective}`.slice(
      0,
      2000,
    ),
  }));
  const withdrawn = withdrawTransformation(request, new Set(original.derivedEventIds));
  return {
    ...empty(),
    natives: [...retractions, ...withdrawn.natives],
    unresolved: withdrawn.unresolved,
    learned: withdrawn.learned,
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
      productions: {
        produced: mapped.natives.flatMap((native) =>
          native.eventType === 'BatchProduced' ? [asOutput(native)] : [],
        ),
        retracted: mapped.natives.flatMap((native) =>
          native.eventType === 'EventRetracted' ? [native.targetEventId] : [],
        ),
      },
      original: {
        epcisEventId: request.epcisEventId,
        party: request.caller.partyId,
        // What a declaration of this event retracts: retracting a retraction undoes nothing.
        derivedEventIds: mapped.natives
          .filter((native) => native.eventType !== 'EventRetracted')
          .map((native) => native.eventId),
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
