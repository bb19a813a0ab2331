/**
 * Whether any of a trace's events was derived from a captured EPCIS event: only then can the trace
 * have unresolved links (class patterns its EPCIS events named), which the store keeps. Asked of
 * the serving index first, so that a trace of native events waits on no store statement. The
 * test is on the event's JSON as projected (`"epcisEventId":"…"`, absent or null otherwise): a
 * false positive, text that happens to hold it, costs one store query and never a wrong answer.
 */
import type { LmdbServingIndex } from './lmdb-serving-index.js';

const DERIVED = '"epcisEventId":"';

export function lmdbDerivedFromEpcis(
  index: LmdbServingIndex,
): (eventIds: readonly string[]) => boolean {
  return (eventIds) =>
    eventIds.some((eventId) => index.db.events.get(eventId)?.payload.includes(DERIVED) === true);
}
