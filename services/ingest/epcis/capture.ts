/**
 * Capturing EPCIS events into the one log, through the write path native events take: checked
 * (schema, CBV, mapping, the natives' own validators), settled for idempotency (the same event
 * hash under one eventID is a duplicate, another a conflict), then the party, retraction and
 * recall checks and one all-or-nothing append of every record and native event (ingestor).
 *
 * `rollback` (the default) writes nothing of a document with any error; `proceed` writes every
 * event that passes and reports the others.
 */
import type { Party, PartyDirectory } from '../../common/access/party-directory.js';
import { namespacePrefixes } from '../../common/epcis/epcis-event.js';
import type { HashContext } from '../../common/epcis/event-hash.js';
import type { SchemaProblem } from '../../common/epcis/schema-check.js';
import { isSuyuanError, type SuyuanError } from '../../common/errors.js';
import { fingerprintEvent } from '../../common/events/fingerprint.js';
import type { EventLog } from '../../common/log/event-log.js';
import { waitForGroup } from '../../common/log/wait-for-group.js';
import type { Store } from '../../common/store/store.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP } from '../../common/topics.js';
import type { EventIndex } from '../event-index.js';
import type { EventIngestor } from '../event-ingestor.js';
import {
  captureError,
  type CaptureError,
  type CaptureOutcome,
  type CaptureResult,
  type ErrorBehaviour,
} from './capture-errors.js';
import { mapEvents, type MappedGroup } from './map-events.js';
import { prepareEvents, type PreparedEvent } from './prepare-events.js';
import { fetchStoreFacts, needsEarlierCaptures } from './store-facts.js';

export interface CaptureDeps {
  readonly log: EventLog;
  /** How long a capture waits for the projector to store what was captured before it. */
  readonly projectionWaitMs: number;
  readonly store: Store;
  readonly parties: PartyDirectory;
  readonly ingestor: EventIngestor;
  readonly index: EventIndex;
}

export interface CaptureInput {
  readonly caller: Party;
  readonly events: readonly unknown[];
  readonly schemaProblems: ReadonlyMap<number, readonly SchemaProblem[]>;
  /** The document's `@context`: kept with each record, and read for extension prefixes. */
  readonly context: unknown;
  readonly hashContext: HashContext;
  readonly productNames: ReadonlyMap<string, string>;
  readonly captureId: string | null;
  readonly behaviour: ErrorBehaviour;
}

/** Events already captured under the same record id: duplicates, or conflicts. */
async function settleStored(
  deps: CaptureDeps,
  caller: Party,
  events: readonly PreparedEvent[],
): Promise<{ fresh: PreparedEvent[]; duplicates: PreparedEvent[]; errors: CaptureError[] }> {
  const stored = await deps.index.find(events.map((item) => item.recordId));
  const out = {
    fresh: [] as PreparedEvent[],
    duplicates: [] as PreparedEvent[],
    errors: [] as CaptureError[],
  };
  for (const item of events) {
    const known = stored.get(item.recordId);
    if (item.repeatOf !== undefined) out.duplicates.push(item);
    else if (!known) out.fresh.push(item);
    else if (
      known.bodyHash ===
      fingerprintEvent({
        eventType: 'EpcisEventCaptured',
        epcisEventId: item.epcisEventId,
        eventHash: item.eventHash,
        party: caller.partyId,
      } as Parameters<typeof fingerprintEvent>[0])
    ) {
      out.duplicates.push(item);
    } else {
      out.errors.push(
        captureError(
          'conflict',
          item.index,
          item.epcisEventId,
          'eventID',
          'was already captured as a different event (another event hash or party); an eventID names one event forever',
        ),
      );
    }
  }
  return out;
}

/** The EPCIS event whose group holds the `index`-th submitted event. */
function groupAt(groups: readonly MappedGroup[], index: number): MappedGroup | undefined {
  let start = 0;
  for (const group of groups) {
    if (index < start + group.events.length) return group;
    start += group.events.length;
  }
  return undefined;
}

/** A refusal by the ingestor's checks, as the error of the EPCIS event it concerns. */
function refusalOfGroup(error: SuyuanError, groups: readonly MappedGroup[]): CaptureError[] {
  const details = error.details?.length ? error.details : [{ path: '', message: error.message }];
  return details.map((detail) => {
    const group = detail.index === undefined ? groups[0] : groupAt(groups, detail.index);
    const prepared = group?.prepared;
    if (detail.index === undefined) {
      return captureError(
        error.code,
        prepared?.index ?? 0,
        prepared?.epcisEventId,
        '',
        error.message,
      );
    }
    // The event's id is the EPCIS event's eventID (a clash the log found, when the store had not
    // yet projected the first capture); other native paths have no EPCIS field and go in the text.
    const [path, message] =
      detail.path === 'eventId'
        ? ['eventID', detail.message]
        : ['', `${detail.path ? `${detail.path}: ` : ''}${detail.message}`];
    return captureError(error.code, prepared?.index ?? 0, prepared?.epcisEventId, path, message);
  });
}

/**
 * The mapping read the productions from a store that had not yet projected one the write path's
 * check found (an id produced a moment ago): mapped again once the projector has caught up, the
 * event produces it again or adds to it instead of claiming it twice.
 */
class StaleProductions extends Error {}

const claimsTaken = (error: SuyuanError) =>
  error.code === 'conflict' && (error.details ?? []).some((detail) => detail.path === 'batchId');

/**
 * Submits the groups; with `proceed`, a group the checks refuse is dropped and the rest tried
 * again (each try is all-or-nothing, so nothing of a refused group is ever written).
 */
async function submitGroups(
  deps: CaptureDeps,
  caller: Party,
  groups: MappedGroup[],
  external: ReadonlySet<string>,
  options: { readonly behaviour: ErrorBehaviour; readonly staleFactsThrow: boolean },
): Promise<{ accepted: MappedGroup[]; statuses: Map<string, string>; errors: CaptureError[] }> {
  const { behaviour } = options;
  const errors: CaptureError[] = [];
  let remaining = groups;
  while (remaining.length > 0) {
    try {
      const answer = await deps.ingestor.submit(
        caller,
        remaining.flatMap((group) => group.events),
        { externalParties: external },
      );
      const statuses = new Map(answer.results.map((result) => [result.eventId, result.status]));
      return { accepted: remaining, statuses, errors };
    } catch (error) {
      // A store or log outage is not the document's fault: the client retries the whole capture.
      if (!isSuyuanError(error) || error.retryable || error.code === 'internal') throw error;
      if (options.staleFactsThrow && claimsTaken(error)) throw new StaleProductions();
      const refused = refusalOfGroup(error, remaining);
      errors.push(...refused);
      if (behaviour === 'rollback') return { accepted: [], statuses: new Map(), errors };
      const bad = new Set(refused.map((refusal) => refusal.index));
      const next = remaining.filter((group) => !bad.has(group.prepared.index));
      if (next.length === remaining.length) return { accepted: [], statuses: new Map(), errors };
      remaining = next;
    }
  }
  return { accepted: [], statuses: new Map(), errors };
}

/** Maps the new events with what the store knows now, and submits them. */
async function mapAndSubmit(
  deps: CaptureDeps,
  input: CaptureInput,
  fresh: readonly PreparedEvent[],
  earlierErrors: readonly CaptureError[],
  staleFactsThrow: boolean,
) {
  const facts = await fetchStoreFacts(deps.store, deps.parties, fresh);
  const mapped = mapEvents({
    caller: input.caller,
    events: fresh,
    facts,
    productNames: input.productNames,
    prefixes: namespacePrefixes(input.context),
    context: input.context,
    captureId: input.captureId,
  });
  const errors = [...earlierErrors, ...mapped.errors];
  const rollback = input.behaviour === 'rollback';
  const submitted = await submitGroups(
    deps,
    input.caller,
    rollback && errors.length > 0 ? [] : mapped.groups,
    mapped.externalParties,
    { behaviour: input.behaviour, staleFactsThrow },
  );
  return { mapped, errors, submitted };
}

export async function captureEvents(
  deps: CaptureDeps,
  input: CaptureInput,
): Promise<CaptureOutcome> {
  const prepared = prepareEvents(input.events, input.schemaProblems, input.hashContext);
  const settled = await settleStored(deps, input.caller, prepared.events);
  const waitForProjector = () =>
    waitForGroup(deps.log, EVENTS_TOPIC, PROJECTOR_GROUP, deps.projectionWaitMs);
  if (needsEarlierCaptures(settled.fresh)) await waitForProjector();
  const earlierErrors = [...prepared.errors, ...settled.errors];
  const attempt = await mapAndSubmit(deps, input, settled.fresh, earlierErrors, true).catch(
    async (error: unknown) => {
      if (!(error instanceof StaleProductions)) throw error;
      await waitForProjector();
      return mapAndSubmit(deps, input, settled.fresh, earlierErrors, false);
    },
  );
  const { mapped, errors, submitted } = attempt;
  const rollback = input.behaviour === 'rollback';
  errors.push(...submitted.errors);
  const success = errors.length === 0;
  const accepted = new Map(submitted.accepted.map((group) => [group.prepared.index, group]));
  const repeats = new Set(settled.duplicates.map((item) => item.index));
  const statusOf = (index: number): CaptureResult['status'] => {
    if (rollback && !success) return 'rejected';
    const group = accepted.get(index);
    if (group) {
      return submitted.statuses.get(group.prepared.recordId) === 'duplicate'
        ? 'duplicate'
        : 'accepted';
    }
    return repeats.has(index) ? 'duplicate' : 'rejected';
  };
  const idOf = new Map(prepared.events.map((item) => [item.index, item.epcisEventId]));
  const given = (event: unknown) => (event as { eventID?: unknown } | null)?.eventID;
  const results = input.events.map((event, index) => ({
    index,
    eventID: idOf.get(index) ?? (typeof given(event) === 'string' ? String(given(event)) : ''),
    status: statusOf(index),
  }));
  const warnings = mapped.warnings.filter((warning) => accepted.has(warning.index));
  return { success, results, errors, warnings };
}
