/**
 * Batch search for the console: batch ids starting with the query, or products whose id or name
 * contains it. A party that is not a regulator finds only the batches it produced, so a search
 * never reveals a batch the trace API would refuse.
 */
import type { FastifyInstance } from 'fastify';
import { readsEverything } from '../common/access/party-directory.js';
import type { BatchSearchHit } from '../common/api/trace.js';
import { mountOperation, parseInput } from '../common/http/operations.js';
import { countingProductions } from '../common/store/projection-rules.js';
import type { Store } from '../common/store/store.js';
import { searchBatchesOperation, searchQuerySchema } from './operations.js';

export interface SearchRouteDeps {
  readonly store: Store;
}

export type { BatchSearchHit };

interface SearchRow {
  readonly batchId: string;
  readonly productIdOf: string;
  readonly productNameOf: string;
  readonly producerOf: string;
  readonly producedAt: string;
}

/** Reads the query of GET /v1/batches; a bad value is an `invalid_request` naming it. */
export function parseSearchQuery(query: Readonly<Record<string, unknown>>) {
  return parseInput(searchQuerySchema, query);
}

const MATCHES = `(startsWith(lower(batch_id), lower({text:String}))
  OR positionCaseInsensitiveUTF8(product_id, {text:String}) > 0
  OR positionCaseInsensitiveUTF8(product_name, {text:String}) > 0)`;

/**
 * Batches matching `text`; `producer` narrows them to one party's own. Each batch is its
 * counting production, as the trace shows it: a later claim to its id neither lists it as the
 * claimant's nor changes what it shows.
 */
export async function searchBatches(
  store: Store,
  search: { text: string; limit: number; producer?: string },
): Promise<BatchSearchHit[]> {
  const candidates = `(SELECT batch_id FROM batches FINAL WHERE ${MATCHES})`;
  const rows = await store.query<SearchRow>(
    `SELECT batch_id AS batchId, product_id AS productIdOf, product_name AS productNameOf,
            producer AS producerOf, produced_at AS producedAt
     FROM (${countingProductions(candidates)})
     WHERE ${MATCHES}
       ${search.producer === undefined ? '' : 'AND producer = {producer:String}'}
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
  mountOperation(app, searchBatchesOperation, async ({ request, query: search }) => {
    request.log.info({ caller: request.caller.partyId, ...search }, 'batches searched');
    const producer = readsEverything(request.caller) ? undefined : request.caller.partyId;
    return searchBatches(deps.store, {
      ...search,
      ...(producer === undefined ? {} : { producer }),
    });
  });
}
