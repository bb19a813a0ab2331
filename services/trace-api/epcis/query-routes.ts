/**
 * The EPCIS 2.0 query interface (REST binding): `GET /epcis/events` with the standard query
 * parameters, `perPage`, `nextPageToken` and a `Link: rel="next"` header, and
 * `GET /epcis/events/{eventID}`. Answers are EPCISQueryDocuments holding captured EPCIS events
 * as they came and native events exported; what a caller sees follows the trace rules. Their
 * contract is operations.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readsEverything } from '../../common/access/party-directory.js';
import { parseEpcisQuery } from '../../common/epcis/query-params.js';
import { queryDocument } from '../../common/epcis/query-document.js';
import { EPCIS_VERSION_HEADERS } from '../../common/epcis/rest-binding.js';
import { SuyuanError } from '../../common/errors.js';
import { mountOperation } from '../../common/http/operations.js';
import { evidenceFor, type EvidenceDeps } from '../../common/proofs/evidence.js';
import type { Store } from '../../common/store/store.js';
import type { TraceReads } from '../../common/trace/trace-reads.js';
import { decodePosition, encodePosition, queryEpcisEvents } from './epcis-queries.js';
import { getEventOperation, queryEventsOperation } from './operations.js';

export interface EpcisQueryRouteDeps {
  readonly store: Store;
  /** Where a page's evidence comes from (docs/proofs.md); without it, none is given. */
  readonly evidence?: EvidenceDeps;
  /** The trace read model: the products of the exported native batches. */
  readonly reads: Pick<TraceReads, 'batches'>;
}

/** The URL of the next page: this request's parameters, with the token of where it ends. */
function nextLink(request: FastifyRequest, token: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
    if (name === 'nextPageToken') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  params.set('nextPageToken', token);
  return `<${request.url.split('?')[0]}?${params.toString()}>; rel="next"`;
}

export function registerEpcisQueryRoutes(app: FastifyInstance, deps: EpcisQueryRouteDeps): void {
  mountOperation(app, queryEventsOperation, async ({ request, reply, query: parsed }) => {
    reply.headers(EPCIS_VERSION_HEADERS);
    const { perPage, nextPageToken, evidence, query } = parsed;
    // Evidence carries whole events, past what a party's one step around may see.
    if (evidence && !readsEverything(request.caller)) {
      throw new SuyuanError('forbidden', 'evidence: only a regulator may ask for the evidence');
    }
    const after = nextPageToken === undefined ? undefined : decodePosition(nextPageToken);
    const page = await queryEpcisEvents(deps, request.caller, query, perPage, after);
    // The page's Link keeps evidence=true: each page carries the proofs of its own events.
    if (page.next) reply.header('link', nextLink(request, encodePosition(page.next)));
    const proofs =
      evidence && deps.evidence ? await evidenceFor(deps.evidence, page.recordIds) : undefined;
    return reply
      .type('application/ld+json')
      .send(queryDocument(page.events, page.contexts, new Date(), proofs));
  });

  mountOperation(app, getEventOperation, async ({ request, reply, params }) => {
    reply.headers(EPCIS_VERSION_HEADERS);
    const { eventID } = params;
    // The path holds one eventID whole: the query parameter's `|`-separated list does not apply.
    const query = { ...parseEpcisQuery({}), eventIds: [eventID] };
    const page = await queryEpcisEvents(deps, request.caller, query, 1);
    if (page.events.length === 0) {
      const scope = readsEverything(request.caller) ? '' : ' that your party may read';
      throw new SuyuanError('not_found', `eventID: no event ${eventID}${scope}`);
    }
    return reply.type('application/ld+json').send(queryDocument(page.events, page.contexts));
  });
}
