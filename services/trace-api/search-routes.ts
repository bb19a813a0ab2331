/**
 * Batch search for the console: batch ids starting with the query, or products whose id or name
 * contains it; without a query, the most recently produced batches. A party that is not a
 * regulator finds only the batches it produced, so a search never reveals a batch the trace API
 * would refuse.
 */
import type { FastifyInstance } from 'fastify';
import { readsEverything } from '../common/access/party-directory.js';
import type { BatchSearchHit } from '../common/api/trace.js';
import { mountOperation, parseInput } from '../common/http/operations.js';
import { countingProductions } from '../common/store/projection-rules.js';
import type { Store } from '../common/store/store.js';
import { searchBatchesOperation, searchQuerySchema, type BatchSearch } from './operations.js';

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
export function parseSearchQuery(query: Readonly<Record<string, unknown>>): BatchSearch {
  return parseInput(searchQuerySchema, query);
}

const MATCHES = `(startsWith(lower(batch_id), lower({text:String}))
  OR positionCaseInsensitiveUTF8(product_id, {text:String}) > 0
  OR positionCaseInsensitiveUTF8(product_name, {text:String}) > 0)`;

/** A search of GET /v1/batches; `producer` narrows it to one party's own batches. */
export type BatchQuery = BatchSearch & { readonly producer?: string };

/**
 * Batches matching the search, by id; without a text, the newest produced first. Each batch is
 * its counting production, as the trace shows it: a later claim to its id neither lists it as the
 * claimant's nor changes what it shows.
 */
export async function searchBatches(store: Store, search: BatchQuery): Promise<BatchSearchHit[]> {
  const matching = search.text === undefined ? '1' : MATCHES;
  const candidates = `(SELECT batch_id FROM batches FINAL WHERE ${matching})`;
  const rows = await store.query<SearchRow>(
    `SELECT batch_id AS batchId, product_id AS productIdOf, product_name AS productNameOf,
            producer AS producerOf, produced_at AS producedAt
     FROM (${countingProductions(candidates)})
     WHERE ${matching}
       ${search.producer === undefined ? '' : 'AND producer = {producer:String}'}
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
  mountOperation(app, searchBatchesOperation, async ({ request, query: search }) => {
    request.log.info({ caller: request.caller.partyId, ...search }, 'batches searched');
    const producer = readsEverything(request.caller) ? undefined : request.caller.partyId;
    return searchBatches(deps.store, {
      ...search,
      ...(producer === undefined ? {} : { producer }),
    });
  });
}
