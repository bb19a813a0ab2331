/**
 * The EPCIS 2.0 query interface (REST binding): `GET /epcis/events` with the standard query
 * parameters, `perPage`, `nextPageToken` and a `Link: rel="next"` header, and
 * `GET /epcis/events/{eventID}`. Answers are EPCISQueryDocuments holding captured EPCIS events
 * as they came and native events exported; what a caller sees follows the trace rules.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readsEverything } from '../../common/access/party-directory.js';
import {
  parseEpcisQuery,
  QueryParameterError,
  type EpcisQuery,
} from '../../common/epcis/query-params.js';
import { queryDocument } from '../../common/epcis/query-document.js';
import { EPCIS_VERSION_HEADERS, perPageOf } from '../../common/epcis/rest-binding.js';
import { SuyuanError } from '../../common/errors.js';
import type { Store } from '../../common/store/store.js';
import { decodePosition, encodePosition, queryEpcisEvents } from './epcis-queries.js';

export interface EpcisQueryRouteDeps {
  readonly store: Store;
}

type QueryRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>;

function queryOf(request: QueryRequest): EpcisQuery {
  try {
    return parseEpcisQuery(request.query);
  } catch (error) {
    if (!(error instanceof QueryParameterError)) throw error;
    throw new SuyuanError('invalid_request', `${error.parameter}: ${error.message}`, {
      details: [{ path: error.parameter, message: error.message }],
    });
  }
}

/** The URL of the next page: this request's parameters, with the token of where it ends. */
function nextLink(request: QueryRequest, token: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query)) {
    if (name === 'nextPageToken') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  params.set('nextPageToken', token);
  return `<${request.url.split('?')[0]}?${params.toString()}>; rel="next"`;
}

export function registerEpcisQueryRoutes(app: FastifyInstance, deps: EpcisQueryRouteDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/epcis/events', async (request, reply) => {
    reply.headers(EPCIS_VERSION_HEADERS);
    const query = queryOf(request);
    const perPage = perPageOf(request.query.perPage);
    const token = request.query.nextPageToken;
    const after = typeof token === 'string' ? decodePosition(token) : undefined;
    request.log.info({ caller: request.caller.partyId, query: request.query }, 'epcis query');
    const page = await queryEpcisEvents(deps.store, request.caller, query, perPage, after);
    if (page.next) reply.header('link', nextLink(request, encodePosition(page.next)));
    return reply.type('application/ld+json').send(queryDocument(page.events, page.contexts));
  });

  app.get<{ Params: { eventID: string } }>('/epcis/events/:eventID', async (request, reply) => {
    reply.headers(EPCIS_VERSION_HEADERS);
    const { eventID } = request.params;
    const query = parseEpcisQuery({ EQ_eventID: eventID });
    const page = await queryEpcisEvents(deps.store, request.caller, query, 1);
    if (page.events.length === 0) {
      const scope = readsEverything(request.caller) ? '' : ' that your party may read';
      throw new SuyuanError('not_found', `eventID: no event ${eventID}${scope}`);
    }
    return reply.type('application/ld+json').send(queryDocument(page.events, page.contexts));
  });
}
