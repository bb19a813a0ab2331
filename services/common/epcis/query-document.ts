/**
 * The EPCISQueryDocument an EPCIS query answers with: the events, and one `@context` that
 * declares every prefix they use — the EPCIS context, Suyuan's own namespace for the extras of
 * native events, and the prefixes of the documents the captured events came in.
 */
import { EPCIS_CONTEXT_URL } from './cbv.js';
import { SUYUAN_NAMESPACE } from './epcis-event.js';

/**
 * One context for events captured under several: the prefixes of each, merged. A prefix two
 * documents bind differently keeps its first binding (the events are returned as they came).
 */
export function mergedContext(contexts: readonly unknown[]): unknown[] {
  const urls = new Set<string>([EPCIS_CONTEXT_URL]);
  const prefixes: Record<string, unknown> = { suyuan: SUYUAN_NAMESPACE };
  for (const context of contexts) {
    for (const entry of Array.isArray(context) ? context : [context]) {
      if (typeof entry === 'string') urls.add(entry);
      else if (typeof entry === 'object' && entry !== null) {
        for (const [prefix, value] of Object.entries(entry as Record<string, unknown>)) {
          if (!(prefix in prefixes)) prefixes[prefix] = value;
        }
      }
    }
  }
  return [...urls, prefixes];
}

export function queryDocument(
  events: ReadonlyArray<Record<string, unknown>>,
  contexts: readonly unknown[],
  now: Date = new Date(),
): Record<string, unknown> {
  return {
    '@context': mergedContext(contexts),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: now.toISOString(),
    epcisBody: {
      queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } },
    },
  };
}
