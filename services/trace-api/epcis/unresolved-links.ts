/**
 * The unresolved links of a trace: identifiers that EPCIS events on it named but no trace can
 * place (class patterns, SSCCs of unknown content…). The projector keeps them in
 * `epcis_unresolved`; an event is on a trace when a native event it derived is, and it still
 * stands (an error declaration takes its links back with its meaning).
 */
import type { Trace } from '../../common/api/trace.js';
import type { Store } from '../../common/store/store.js';

type Link = NonNullable<Trace['unresolvedLinks']>[number];

/** The links of the EPCIS events that derived any of `eventIds`, sorted. */
export type UnresolvedLinks = (eventIds: readonly string[]) => Promise<Link[]>;

export const storeUnresolvedLinks =
  (store: Store): UnresolvedLinks =>
  async (eventIds) => {
    if (eventIds.length === 0) return [];
    return store.query<Link>(
      `SELECT DISTINCT u.epcis_event_id AS epcisEventId, u.path AS path, u.id AS id, u.reason AS reason
       FROM epcis_unresolved AS u FINAL
       INNER JOIN (SELECT epcis_event_id FROM epcis_events FINAL
                   WHERE declared = 0 AND hasAny(derived_event_ids, {ids:Array(String)})) AS e
         ON u.epcis_event_id = e.epcis_event_id
       ORDER BY epcisEventId, path, id`,
      { ids: [...eventIds] },
    );
  };

/** Asks `links` only when `mayHave` says one of the events may carry links (the serving index). */
export const gatedUnresolvedLinks =
  (mayHave: (eventIds: readonly string[]) => boolean, links: UnresolvedLinks): UnresolvedLinks =>
  async (eventIds) =>
    mayHave(eventIds) ? links(eventIds) : [];

/** Every native event id a trace (as the caller sees it) shows. */
export function traceEventIds(trace: Omit<Trace, 'redacted'>): string[] {
  return [
    ...trace.batches.flatMap((batch) => (batch.eventId === null ? [] : [batch.eventId])),
    ...trace.derivations.map((derivation) => derivation.eventId),
    ...trace.shipments.flatMap((shipment) => shipment.eventIds),
    ...trace.inspections.map((inspection) => inspection.eventId),
  ];
}

/** The trace with its unresolved links, when it has any (the field is absent otherwise). */
export async function withUnresolvedLinks<T extends Omit<Trace, 'redacted'>>(
  trace: T,
  links: UnresolvedLinks,
): Promise<T> {
  const found = await links([...new Set(traceEventIds(trace))]);
  return found.length === 0 ? trace : { ...trace, unresolvedLinks: found };
}
