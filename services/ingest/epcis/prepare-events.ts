/**
 * The first, pure stage of a capture: each event checked against the EPCIS schema and the CBV,
 * given its CBV 2.0 hash and the id it is captured under (its eventID, else its hash), and the
 * repeats within one document settled: the same event twice is a duplicate, one eventID with
 * two different events a conflict.
 */
import { vocabularyProblems } from '../../common/epcis/cbv-check.js';
import { eventHashId, type HashContext } from '../../common/epcis/event-hash.js';
import type { EpcisEvent } from '../../common/epcis/epcis-event.js';
import type { SchemaProblem } from '../../common/epcis/schema-check.js';
import { epcisRecordEventId } from '../../common/epcis/to-native.js';
import { captureError, type CaptureError } from './capture-errors.js';

export interface PreparedEvent {
  readonly index: number;
  readonly event: EpcisEvent;
  readonly epcisEventId: string;
  readonly eventHash: string;
  /** The Suyuan id of its record (an error declaration gets its own). */
  readonly recordId: string;
  /** Set when an earlier event of the document is this very event. */
  readonly repeatOf?: number;
}

export interface Prepared {
  readonly events: PreparedEvent[];
  readonly errors: CaptureError[];
}

const eventIdOf = (event: EpcisEvent) =>
  typeof event.eventID === 'string' ? event.eventID : undefined;

export function prepareEvents(
  events: readonly unknown[],
  schemaProblems: ReadonlyMap<number, readonly SchemaProblem[]>,
  hashContext: HashContext,
): Prepared {
  const prepared: PreparedEvent[] = [];
  const errors: CaptureError[] = [];
  const firstOf = new Map<string, PreparedEvent>();
  events.forEach((raw, index) => {
    const event = (typeof raw === 'object' && raw !== null ? raw : {}) as EpcisEvent;
    const given = eventIdOf(event);
    const problems = [...(schemaProblems.get(index) ?? []), ...vocabularyProblems(event)];
    if (problems.length > 0) {
      for (const problem of problems) {
        errors.push(captureError('invalid_event', index, given, problem.path, problem.message));
      }
      return;
    }
    const eventHash = eventHashId(event, hashContext);
    const epcisEventId = given ?? eventHash;
    const recordId = epcisRecordEventId(epcisEventId, event.errorDeclaration !== undefined);
    const first = firstOf.get(recordId);
    if (first && first.eventHash !== eventHash) {
      errors.push(
        captureError(
          'conflict',
          index,
          epcisEventId,
          'eventID',
          `also names eventList[${first.index}], a different event; an eventID names one event`,
        ),
      );
      return;
    }
    const item = { index, event, epcisEventId, eventHash, recordId };
    prepared.push(first ? { ...item, repeatOf: first.index } : item);
    if (!first) firstOf.set(recordId, item);
  });
  return { events: prepared, errors };
}
