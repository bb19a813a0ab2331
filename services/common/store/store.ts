/**
 * The store port: ClickHouse SQL. The embedded adapter runs chDB in-process
 * (chdb-store.ts); a ClickHouse server adapter speaks the same SQL over HTTP.
 */
export type QueryParams = Readonly<Record<string, unknown>>;

export interface Store {
  /**
   * Runs a SELECT and returns its rows (JSONEachRow). Times come back as RFC 3339 strings. An
   * array parameter may hold at most MAX_ARRAY_PARAM elements (a longer one is refused unsent):
   * read longer id lists with queryInChunks (query-in-chunks.ts).
   */
  query<Row>(sql: string, params?: QueryParams): Promise<Row[]>;
  /** Inserts rows as JSONEachRow. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  /** Runs a statement that returns no rows (DDL, mutations); array parameters as for query. */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
