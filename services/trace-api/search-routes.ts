/**
 * Batch search for the console: batch ids starting with the query, or products whose id or name
 * contains it. A party that is not a regulator finds only the batches it produced, so a search
 * never reveals a batch the trace API would refuse.
 */
import type { FastifyInstance } from 'fastify';
import { readsEverything } from '../common/access/party-directory.js';
import { SuyuanError } from '../common/errors.js';
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

export function parseSearchQuery(query: Readonly<Record<string, unknown>>) {
  const { q, limit } = query;
  if (typeof q !== 'string' || q.trim().length === 0 || q.length > MAX_QUERY_LENGTH) {
    throw invalid('q', `must be 1 to ${MAX_QUERY_LENGTH} characters`);
  }
  const parsedLimit = limit === undefined ? DEFAULT_LIMIT : Number(limit);
  if (!Number.isInteger(parsedLimit) || parsedLimit < 1 || parsedLimit > MAX_LIMIT) {
    throw invalid('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return { text: q.trim(), limit: parsedLimit };
}

/** Batches matching `text`; `producer` narrows them to one party's own. */
export async function searchBatches(
  store: Store,
  search: { text: string; limit: number; producer?: string },
): Promise<BatchSearchHit[]> {
  const rows = await store.query<SearchRow>(
    `SELECT batch_id AS batchId, any(product_id) AS productIdOf, any(product_name) AS productNameOf,
            any(producer) AS producerOf, min(produced_at) AS producedAt
     FROM batches FINAL
     WHERE event_id NOT IN (SELECT target_event_id FROM retractions FINAL)
       AND (startsWith(lower(batch_id), lower({text:String}))
            OR positionCaseInsensitiveUTF8(product_id, {text:String}) > 0
            OR positionCaseInsensitiveUTF8(product_name, {text:String}) > 0)
       ${search.producer === undefined ? '' : 'AND producer = {producer:String}'}
     GROUP BY batch_id
     ORDER BY batch_id
     LIMIT {limit:UInt32}`,
    { text: search.text, limit: search.limit, producer: search.producer ?? '' },
  );
  return rows.map(({ batchId, productIdOf, productNameOf, producerOf, producedAt }) => ({
    batchId,
    product: { id: productIdOf, name: productNameOf },
    producer: producerOf,
    producedAt,
  }));
}

export function registerSearchRoutes(app: FastifyInstance, deps: SearchRouteDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/v1/batches', async (request) => {
    const search = parseSearchQuery(request.query);
    request.log.info({ caller: request.caller.partyId, ...search }, 'batches searched');
    const producer = readsEverything(request.caller) ? undefined : request.caller.partyId;
    return searchBatches(deps.store, {
      ...search,
      ...(producer === undefined ? {} : { producer }),
    });
  });
}
