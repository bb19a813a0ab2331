/**
 * What ingest reads to decide whether a recall event may be written, and to warn of a shipment of
 * a recalled batch: the state of recalls as the projection holds it. A port, as the trace read
 * model is (trace-reads.ts): the embedded platform answers it from the serving index, so that a
 * post waits on no store statement; distributed ingest asks ClickHouse. Every implementation
 * gives the same answers.
 */
export interface RecallReads {
  /**
   * Whether a RecallInitiated other than `exceptEventId` names the recall id, retracted or not:
   * a recall id names one recall forever.
   */
  recallIdUsed(recallId: string, exceptEventId: string): Promise<boolean>;
  /** The recall ids among `recallIds` that exist: one of their RecallInitiated is not retracted. */
  liveRecallIds(recallIds: readonly string[]): Promise<Set<string>>;
  /** The recipient of each notice among `noticeIds` that was issued. */
  noticeRecipients(noticeIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * The open recalls (live, and no closure that stands names them) naming each of `batchIds`, as
   * a root or in a notice that stands: one pair per batch and recall, sorted by batch then recall.
   */
  openRecallsNaming(batchIds: readonly string[]): Promise<RecalledBatch[]>;
}

export interface RecalledBatch {
  readonly batchId: string;
  readonly recallId: string;
}
