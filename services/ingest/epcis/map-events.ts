/**
 * The middle stage of a capture: each new event mapped (in document order, each seeing what the
 * earlier ones made known) into its EpcisEventCaptured record and the native events it derives,
 * the natives checked by the very validators a native post goes through. An event whose mapping
 * or natives fail is refused with the field named; its facts stay unknown to the later events.
 */
import type { Party } from '../../common/access/party-directory.js';
import { readsEverything } from '../../common/access/party-directory.js';
import { canonicalTime } from '../../common/epcis/canonical-values.js';
import { CaptureKnowledge, type StoreFacts } from '../../common/epcis/capture-knowledge.js';
import { nativeLocation, suyuanExtension } from '../../common/epcis/epcis-event.js';
import { mapEpcisEvent, type MappedEvent } from '../../common/epcis/to-native.js';
import type { UnstampedEvent } from '../../common/events/unstamped-event.js';
import { formatPath } from '../../common/invalid-input.js';
import { SUBMITTED_EVENT_VALIDATORS, type PostableEventType } from '../event-schemas.js';
import { captureError, type CaptureError, type CaptureWarning } from './capture-errors.js';
import type { PreparedEvent } from './prepare-events.js';

/** One accepted event: its record first, then the natives it derives. */
export interface MappedGroup {
  readonly prepared: PreparedEvent;
  readonly events: UnstampedEvent[];
}

export interface MapOutcome {
  readonly groups: MappedGroup[];
  readonly errors: CaptureError[];
  readonly warnings: CaptureWarning[];
  /** Counterparties the natives name: registered parties, or identifiers of outside ones. */
  readonly externalParties: Set<string>;
}

export interface MapInput {
  readonly caller: Party;
  readonly events: readonly PreparedEvent[];
  readonly facts: StoreFacts;
  readonly productNames: ReadonlyMap<string, string>;
  readonly prefixes: ReadonlyMap<string, string>;
  readonly context: unknown;
  readonly captureId: string | null;
}

/** A native as the native validators make it (times normalised), or the problems they found. */
function validated(
  native: UnstampedEvent,
): UnstampedEvent | Array<{ path: string; message: string }> {
  // The link to the EPCIS event is capture's own field: no client sends it, so no validator reads it.
  const { eventType, party, epcisEventId, ...fields } = native as UnstampedEvent & {
    epcisEventId?: string | null;
  };
  const schema = SUBMITTED_EVENT_VALIDATORS[eventType as PostableEventType];
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
    }));
  }
  const link = epcisEventId === undefined ? {} : { epcisEventId };
  return { ...(parsed.data as object), ...link, eventType, party } as UnstampedEvent;
}

function recordOf(
  input: MapInput,
  prepared: PreparedEvent,
  mapped: MappedEvent,
  natives: UnstampedEvent[],
) {
  const operator = suyuanExtension(prepared.event, 'operator', input.prefixes);
  return {
    eventType: 'EpcisEventCaptured' as const,
    eventId: prepared.recordId,
    eventTime: canonicalTime(String(prepared.event.eventTime)),
    party: input.caller.partyId,
    location: nativeLocation(prepared.event),
    operator: typeof operator === 'string' && operator ? operator.slice(0, 128) : null,
    epcisEventId: prepared.epcisEventId,
    eventHash: prepared.eventHash,
    epcisEventType: String(prepared.event.type),
    event: JSON.stringify(prepared.event),
    context: JSON.stringify(input.context ?? []),
    captureId: input.captureId,
    derivedEventIds: natives.map((native) => native.eventId),
    unresolved: mapped.unresolved.map((link) => ({ ...link })),
  };
}

/** The counterparties of shipments and receipts that no registered party stands behind. */
function counterparties(natives: readonly UnstampedEvent[]): string[] {
  return natives.flatMap((native) =>
    native.eventType === 'BatchShipped'
      ? [native.to]
      : native.eventType === 'BatchReceived'
        ? [native.from]
        : [],
  );
}

export function mapEvents(input: MapInput): MapOutcome {
  const knowledge = new CaptureKnowledge(input.facts, input.productNames);
  const caller = { partyId: input.caller.partyId, regulator: readsEverything(input.caller) };
  const outcome: MapOutcome = { groups: [], errors: [], warnings: [], externalParties: new Set() };
  for (const prepared of input.events) {
    const { index, epcisEventId } = prepared;
    const mapped = mapEpcisEvent({ ...prepared, caller, prefixes: input.prefixes, knowledge });
    const errors: CaptureError[] = [];
    if (mapped.forbidden) {
      const { path, message } = mapped.forbidden;
      errors.push(captureError('forbidden', index, epcisEventId, path, message));
    }
    for (const problem of mapped.problems) {
      errors.push(
        captureError('invalid_event', index, epcisEventId, problem.path, problem.message),
      );
    }
    const natives: UnstampedEvent[] = [];
    for (const native of mapped.natives) {
      const checked = validated(native);
      if (!Array.isArray(checked)) natives.push(checked);
      else {
        for (const issue of checked) {
          const where = issue.path ? `${issue.path}: ` : '';
          const message = `the ${native.eventType} it maps to: ${where}${issue.message}`;
          errors.push(captureError('invalid_event', index, epcisEventId, '', message));
        }
      }
    }
    if (errors.length > 0) {
      outcome.errors.push(...errors);
      continue;
    }
    knowledge.learn(mapped.learned);
    // The mapping named each counterparty by a registered party or by its identifier.
    for (const party of counterparties(natives)) outcome.externalParties.add(party);
    outcome.groups.push({
      prepared,
      events: [recordOf(input, prepared, mapped, natives), ...natives],
    });
    for (const link of mapped.unresolved) {
      outcome.warnings.push({
        index,
        eventID: epcisEventId,
        path: link.path,
        id: link.id,
        detail: link.reason,
      });
    }
  }
  return outcome;
}
