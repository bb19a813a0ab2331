/**
 * TransformationEvents. Every output is produced from every input, each input's quantity as
 * given; events sharing a `transformationID` join, in whatever order they come, within a
 * document or across documents:
 *
 * - inputs known before an output reach it when it is produced;
 * - inputs that come after an output reach it too: the output's production is superseded —
 *   its BatchProduced retracted and produced again with every input so far;
 * - an error declaration of an event takes its inputs back the same way: each output holding an
 *   input that only the declared event named is produced again without it.
 *
 * Only the party that produced an output rewrites its production (the acting party is always
 * the caller's); an output of another party that would need it is listed as an unresolved link.
 */
import type { UnstampedEvent } from '../events/unstamped-event.js';
import { canonicalTime } from './canonical-values.js';
import type { ProducedOutput, TransformationFacts } from './capture-knowledge.js';
import { epcsOf, quantitiesOf, type EpcisEvent } from './epcis-event.js';
import { derivedEventId, empty, type MappedEvent, type MapRequest } from './mapping-request.js';
import { place, type Line, type UnresolvedLink } from './placement.js';
import { productionsOf } from './to-native-production.js';

/** The first of each batch: an input named by two events of one transformation counts once. */
const uniqueLines = (lines: readonly Line[]) => [
  ...new Map(lines.map((line) => [line.batchId, line] as const)).values(),
];

export const transformationIdOf = (event: EpcisEvent): string | undefined =>
  typeof event.transformationID === 'string' && event.transformationID.length > 0
    ? event.transformationID
    : undefined;

/** What rewriting earlier productions adds to the mapped event. */
interface Rewrites {
  readonly natives: UnstampedEvent[];
  readonly unresolved: UnresolvedLink[];
  readonly outputs: ProducedOutput[];
}

/** Whether the caller may rewrite an output's production; if not, the output is unresolved. */
function mayRewrite(request: MapRequest, output: ProducedOutput, out: Rewrites): boolean {
  if (output.party === request.caller.partyId) return true;
  out.unresolved.push({
    path: 'transformationID',
    id: output.batchId,
    reason: `an output of this transformation produced by ${output.party}: only it may change its inputs`,
  });
  return false;
}

function retractProduction(
  request: MapRequest,
  output: ProducedOutput,
  how: { readonly role: string; readonly reason: string },
): UnstampedEvent {
  return {
    eventType: 'EventRetracted',
    eventId: derivedEventId(request.epcisEventId, `${how.role}/${output.eventId}`),
    eventTime: canonicalTime(String(request.event.eventTime)),
    party: request.caller.partyId,
    location: null,
    operator: null,
    targetEventId: output.eventId,
    reason: how.reason,
  };
}

/**
 * Retracts an output's production (unless the caller retracts it already) and produces it
 * again with `inputs`, as the party that produced it; `role` (reproduced: more inputs, restored:
 * fewer) names the new production's id.
 */
function produceAgain(
  request: MapRequest,
  output: ProducedOutput,
  inputs: ProducedOutput['inputs'],
  how: { readonly role: string; readonly reason: string; readonly retracted: boolean },
  out: Rewrites,
): void {
  if (!mayRewrite(request, output, out)) return;
  if (!how.retracted) {
    const role = how.role === 'reproduced' ? 'superseded' : 'withdrawn';
    out.natives.push(retractProduction(request, output, { role, reason: how.reason }));
  }
  const again: ProducedOutput = {
    ...output,
    eventId: derivedEventId(request.epcisEventId, `${how.role}/${output.batchId}`),
    inputs: inputs.map((input) => ({ ...input })),
  };
  out.natives.push({ eventType: 'BatchProduced', ...again, epcisEventId: request.epcisEventId });
  out.outputs.push(again);
}

/** Earlier outputs that lack some of the new inputs, produced again with them. */
function supersede(
  request: MapRequest,
  transformationId: string,
  newInputs: readonly Line[],
  ownOutputs: ReadonlySet<string>,
): Rewrites {
  const out: Rewrites = { natives: [], unresolved: [], outputs: [] };
  for (const earlier of request.knowledge.transformationOutputs(transformationId)) {
    if (ownOutputs.has(earlier.batchId)) continue;
    const missing = newInputs.filter(
      (input) => !earlier.inputs.some((known) => known.batchId === input.batchId),
    );
    if (missing.length === 0) continue;
    produceAgain(
      request,
      earlier,
      [...earlier.inputs, ...missing],
      {
        role: 'reproduced',
        reason: `transformation ${transformationId} gained inputs (EPCIS event ${request.epcisEventId}): produced again with them`,
        retracted: false,
      },
      out,
    );
  }
  return out;
}

export function transformation(request: MapRequest): MappedEvent {
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
  const transformationId = transformationIdOf(event);
  const placed = {
    unresolved: [...inputs.unresolved, ...outputs.unresolved],
    problems: [...inputs.problems, ...outputs.problems],
  };
  if (!transformationId) {
    const productions = productionsOf(request, outputs.lines, inputs.lines, 'outputEPCList');
    return {
      ...empty(),
      ...placed,
      unresolved: [...placed.unresolved, ...productions.unresolved],
      natives: productions.natives,
    };
  }
  const joined = uniqueLines([
    ...knowledge.transformationInputs(transformationId),
    ...inputs.lines,
  ]);
  const productions = productionsOf(request, outputs.lines, joined, 'outputEPCList');
  const own = new Set(outputs.lines.map((output) => output.batchId));
  const superseded = supersede(request, transformationId, inputs.lines, own);
  const facts: TransformationFacts = {
    id: transformationId,
    epcisEventId: request.epcisEventId,
    inputs: inputs.lines,
    outputs: [...productions.outputs, ...superseded.outputs],
  };
  return {
    ...empty(),
    natives: [...productions.natives, ...superseded.natives],
    unresolved: [...placed.unresolved, ...productions.unresolved, ...superseded.unresolved],
    problems: placed.problems,
    learned: { transformation: facts },
  };
}

/**
 * After an error declaration of a transformation's event, whose derived events (`retracted`)
 * are retracted: the outputs it names are no longer produced (even when a later event produced
 * them again with more inputs), and each other output holding an input only the declared event
 * named is produced again without it. The declaration repeats the event it declares (EPCIS
 * 2.0), so its outputs are read from it; its inputs are those captured with the original.
 */
export function withdrawTransformation(
  request: MapRequest,
  retracted: ReadonlySet<string>,
): Pick<MappedEvent, 'natives' | 'unresolved' | 'learned'> {
  const transformationId = transformationIdOf(request.event);
  if (!transformationId) return { natives: [], unresolved: [], learned: {} };
  const { knowledge, epcisEventId, event } = request;
  const remaining = new Set(
    knowledge.transformationInputs(transformationId, epcisEventId).map((line) => line.batchId),
  );
  const gone = new Set(
    knowledge
      .transformationInputsOf(transformationId, epcisEventId)
      .map((line) => line.batchId)
      .filter((batchId) => !remaining.has(batchId)),
  );
  const time = canonicalTime(String(event.eventTime));
  const named = place(
    epcsOf(event, 'outputEPCList'),
    quantitiesOf(event, 'outputQuantityList'),
    (container) => knowledge.contentsAt(container, time),
  );
  const declaredOutputs = new Set(named.lines.map((line) => line.batchId));
  const reason = `transformation ${transformationId} lost EPCIS event ${epcisEventId}, declared in error`;
  const out: Rewrites = { natives: [], unresolved: [], outputs: [] };
  const withdrawn: string[] = [];
  for (const output of knowledge.transformationOutputs(transformationId)) {
    if (declaredOutputs.has(output.batchId)) {
      if (retracted.has(output.eventId)) withdrawn.push(output.batchId);
      else if (mayRewrite(request, output, out)) {
        out.natives.push(
          retractProduction(request, output, {
            role: 'withdrawn',
            reason: `${reason}: not its output`,
          }),
        );
        withdrawn.push(output.batchId);
      }
      continue;
    }
    const kept = output.inputs.filter((input) => !gone.has(input.batchId));
    // A production the declaration retracts (one the declared event made again) comes back.
    if (kept.length === output.inputs.length && !retracted.has(output.eventId)) continue;
    produceAgain(
      request,
      output,
      kept,
      {
        role: 'restored',
        reason: `${reason}: produced again without its inputs`,
        retracted: retracted.has(output.eventId),
      },
      out,
    );
  }
  const facts: TransformationFacts = {
    id: transformationId,
    epcisEventId,
    inputs: [],
    outputs: out.outputs,
    withdrawn,
  };
  return {
    natives: out.natives,
    unresolved: out.unresolved,
    learned: { transformation: facts, declared: epcisEventId },
  };
}
