/**
 * Batch search for the console: batch ids starting with the query, or products whose id or name
 * contains it; without a query, the most recently produced batches. A party that is not a
 * regulator finds only the batches it produced, so a search never reveals a batch the trace API
 * would refuse.
 */
import type { FastifyInstance } from 'fastify';
import { readsEverything } from '../common/access/party-directory.js';
import { SuyuanError } from '../common/errors.js';
import { searchBatchesSchema } from '../common/http/route-schemas.js';
import type { Store } from '../common/store/store.js';

export interface SearchRouteDeps {
  readonly store: Store;
}

export interface BatchSearchHit {
  readonly batchId: string;
  readonly product: { readonly id: string; readonly name: string };
  readonly producer: string;
  readonly producedAt: string;
}

interface SearchRow {
  readonly batchId: string;
  readonly productIdOf: string;
  readonly productNameOf: string;
  readonly producerOf: string;
  readonly producedAt: string;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
const MAX_QUERY_LENGTH = 200;

function invalid(path: string, message: string): SuyuanError {
  return new SuyuanError('invalid_request', `${path}: ${message}`, {
    details: [{ path, message }],
  });
}

export interface BatchSearch {
  /** Without it, the most recently produced batches. */
  readonly text?: string;
  readonly limit: number;
  /** Narrows the search to one party's own batches. */
  readonly producer?: string;
}

export function parseSearchQuery(query: Readonly<Record<string, unknown>>): BatchSearch {
  const { q, limit } = query;
  const given = q !== undefined;
  if (given && (typeof q !== 'string' || q.trim().length === 0 || q.length > MAX_QUERY_LENGTH)) {
    throw invalid('q', `must be 1 to ${MAX_QUERY_LENGTH} characters`);
  }
  const parsedLimit = limit === undefined ? DEFAULT_LIMIT : Number(limit);
  if (!Number.isInteger(parsedLimit) || parsedLimit < 1 || parsedLimit > MAX_LIMIT) {
    throw invalid('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return typeof q === 'string' ? { text: q.trim(), limit: parsedLimit } : { limit: parsedLimit };
}

const MATCHES_TEXT = `AND (startsWith(lower(batch_id), lower({text:String}))
            OR positionCaseInsensitiveUTF8(product_id, {text:String}) > 0
            OR positionCaseInsensitiveUTF8(product_name, {text:String}) > 0)`;

/** Batches matching the search, by id; without a text, the newest first. */
export async function searchBatches(store: Store, search: BatchSearch): Promise<BatchSearchHit[]> {
  const rows = await store.query<SearchRow>(
    `SELECT batch_id AS batchId, any(product_id) AS productIdOf, any(product_name) AS productNameOf,
            any(producer) AS producerOf, min(produced_at) AS producedAt
     FROM batches FINAL
     WHERE event_id NOT IN (SELECT target_event_id FROM retractions FINAL)
       ${search.text === undefined ? '' : MATCHES_TEXT}
       ${search.producer === undefined ? '' : 'AND producer = {producer:String}'}
     GROUP BY batch_id
     ORDER BY ${search.text === undefined ? 'producedAt DESC, batch_id' : 'batch_id'}
     LIMIT {limit:UInt32}`,
    { text: search.text ?? '', limit: search.limit, producer: search.producer ?? '' },
  );
  return rows.map(({ batchId, productIdOf, productNameOf, producerOf, producedAt }) => ({
    batchId,
    product: { id: productIdOf, name: productNameOf },
    producer: producerOf,
    producedAt,
  }));
}

export function registerSearchRoutes(app: FastifyInstance, deps: SearchRouteDeps): void {
  const schema = searchBatchesSchema;
  app.get<{ Querystring: Record<string, unknown> }>('/v1/batches', { schema }, async (request) => {
    const search = parseSearchQuery(request.query);
    request.log.info({ caller: request.caller.partyId, ...search }, 'batches searched');
    const producer = readsEverything(request.caller) ? undefined : request.caller.partyId;
    return searchBatches(deps.store, {
      ...search,
      ...(producer === undefined ? {} : { producer }),
    });
  });
}
