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
export function mergedContext(
  contexts: readonly unknown[],
  extraTerms: Record<string, unknown> = {},
): unknown[] {
  const urls = new Set<string>([EPCIS_CONTEXT_URL]);
  const prefixes: Record<string, unknown> = { suyuan: SUYUAN_NAMESPACE, ...extraTerms };
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

/**
 * The member a query document's evidence travels in (docs/proofs.md): a user extension in
 * Suyuan's namespace, as EPCIS 2.0 allows at the document's top level, declared a JSON literal
 * (`@type: @json`, JSON-LD 1.1 like the EPCIS context) so that a JSON-LD processor keeps the
 * proofs byte for byte instead of reading their plain keys as terms it does not know.
 */
export const EVIDENCE_MEMBER = 'suyuan:evidence';

export function queryDocument(
  events: ReadonlyArray<Record<string, unknown>>,
  contexts: readonly unknown[],
  now: Date = new Date(),
  evidence?: unknown,
): Record<string, unknown> {
  const terms = evidence === undefined ? {} : { [EVIDENCE_MEMBER]: { '@type': '@json' } };
  return {
    '@context': mergedContext(contexts, terms),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: now.toISOString(),
    epcisBody: {
      queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } },
    },
    ...(evidence === undefined ? {} : { [EVIDENCE_MEMBER]: evidence }),
  };
}
