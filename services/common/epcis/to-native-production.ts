/**
 * Producing what an EPCIS event brings into being — a commissioned lot or item, an output of a
 * transformation — when it may stand already. A batch id names one batch, produced once (the
 * rule ingest holds every BatchProduced to, ingest/batch-claims.ts), and EPCIS often names the
 * same item twice: commissioned, then an output of the transformation that made it. So:
 *
 * - not produced yet: it is produced;
 * - produced by the caller, and this event names no input it lacks: nothing to add;
 * - produced by the caller, with inputs it lacks: its production is retracted and it is
 *   produced again with them (keeping its time, quantity and product);
 * - produced by another party: it stays as it is, and is listed as an unresolved link (nobody
 *   produces another party's batch).
 */
import type { UnstampedEvent } from '../events/unstamped-event.js';
import { canonicalTime } from './canonical-values.js';
import type { ProducedOutput } from './capture-knowledge.js';
import { derivedEventId, produced, type MapRequest } from './mapping-request.js';
import type { Line, UnresolvedLink } from './placement.js';

export interface Productions {
  readonly natives: UnstampedEvent[];
  readonly unresolved: UnresolvedLink[];
  /** The outputs as their productions stand after this event. */
  readonly outputs: ProducedOutput[];
}

type Inputs = ProducedOutput['inputs'];

/** The first of each batch: an input named twice counts once. */
export const uniqueInputs = (lines: Inputs): Inputs => [
  ...new Map(lines.map((line) => [line.batchId, line] as const)).values(),
];

/** A production as the knowledge keeps it. */
export const asOutput = ({
  eventType: _type,
  epcisEventId: _link,
  ...output
}: Extract<UnstampedEvent, { eventType: 'BatchProduced' }>): ProducedOutput => output;

/** The productions of `outputs`, each made from `inputs`, minding those that stand already. */
export function productionsOf(
  request: MapRequest,
  outputs: readonly Line[],
  inputs: Inputs,
  path: string,
): Productions {
  const out: Productions = { natives: [], unresolved: [], outputs: [] };
  for (const output of outputs) {
    const existing = request.knowledge.production(output.batchId);
    if (!existing) {
      const production = produced(request, output, inputs);
      out.natives.push(production);
      out.outputs.push(asOutput(production));
    } else if (existing.party !== request.caller.partyId) {
      out.unresolved.push({
        path,
        id: output.batchId,
        reason: `produced already by ${existing.party}: a batch id names one batch, and only its producer produces it`,
      });
    } else {
      const lacking = inputs.filter(
        (input) => !existing.inputs.some((known) => known.batchId === input.batchId),
      );
      if (lacking.length > 0) out.natives.push(...produceAgain(request, existing, lacking, out));
    }
  }
  return out;
}

function produceAgain(
  request: MapRequest,
  existing: ProducedOutput,
  lacking: Inputs,
  out: Productions,
): UnstampedEvent[] {
  const again: ProducedOutput = {
    ...existing,
    eventId: derivedEventId(request.epcisEventId, `produced/${existing.batchId}`),
    inputs: uniqueInputs([...existing.inputs, ...lacking]).map((input) => ({ ...input })),
  };
  out.outputs.push(again);
  return [
    {
      eventType: 'EventRetracted',
      eventId: derivedEventId(request.epcisEventId, `superseded/${existing.eventId}`),
      eventTime: canonicalTime(String(request.event.eventTime)),
      party: request.caller.partyId,
      location: null,
      operator: null,
      targetEventId: existing.eventId,
      reason: `EPCIS event ${request.epcisEventId} names inputs of ${existing.batchId}: produced again with them`,
    },
    { eventType: 'BatchProduced', ...again, epcisEventId: request.epcisEventId },
  ];
}
