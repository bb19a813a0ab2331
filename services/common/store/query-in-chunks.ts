/**
 * Long id lists, kept from stalling the engine. The embedded engine stopped answering (more than
 * ten minutes, no error) a primary-key `IN` of 25 000 event ids on the 5M-row events table, which
 * answers 20 000 in 70 ms. So no statement may carry an array parameter of more than
 * MAX_ARRAY_PARAM elements: every store adapter refuses one (checkArrayParams), and a read over a
 * longer list goes through queryInChunks, in parts of ID_CHUNK.
 */
import { SuyuanError } from '../errors.js';
import type { QueryParams, Store } from './store.js';

export const ID_CHUNK = 10_000;

/** The most elements an array parameter of one statement may hold. */
export const MAX_ARRAY_PARAM = ID_CHUNK;

/**
 * Throws, before anything is sent, when an array parameter holds more than MAX_ARRAY_PARAM
 * elements: a statement that would hang becomes an immediate error naming the parameter.
 */
export function checkArrayParams(params: QueryParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value) && value.length > MAX_ARRAY_PARAM) {
      throw new SuyuanError(
        'internal',
        `store parameter ${name} holds ${value.length} elements, more than the ${MAX_ARRAY_PARAM} ` +
          'one statement may carry (a longer IN list can stall the engine): read the list with ' +
          'queryInChunks (services/common/store/query-in-chunks.ts)',
      );
    }
  }
}

export interface ChunkOptions<Row> {
  /** The statement's other parameters, the same for every part. */
  readonly params?: QueryParams;
  /**
   * The statement's ORDER BY, as a comparison: with more than one part, the parts' rows are
   * sorted together with it, so the answer is in the order one statement would give.
   */
  readonly order?: (a: Row, b: Row) => number;
}

/**
 * A read over a list of ids of any length: the statement runs over parts of ID_CHUNK distinct ids
 * one after another, and the parts' rows are concatenated (then sorted, given `order`). Right for
 * a row-wise statement, where each row comes from one id, independent of the others; a statement
 * that aggregates or deduplicates across ids must combine the parts' answers itself.
 */
export async function queryInChunks<Row>(
  store: Store,
  sql: string,
  /** The name of the array parameter the statement reads the ids from. */
  name: string,
  ids: readonly unknown[],
  options: ChunkOptions<Row> = {},
): Promise<Row[]> {
  const distinct = [...new Set(ids)];
  const rows: Row[] = [];
  for (let start = 0; start < distinct.length; start += ID_CHUNK) {
    const part = distinct.slice(start, start + ID_CHUNK);
    rows.push(...(await store.query<Row>(sql, { ...options.params, [name]: part })));
  }
  return options.order && distinct.length > ID_CHUNK ? rows.sort(options.order) : rows;
}
