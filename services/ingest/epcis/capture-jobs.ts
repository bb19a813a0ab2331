/**
 * Capture jobs (EPCIS 2.0 REST binding): ingest finishes a capture before it answers 202 — the
 * log holds every accepted event by then, so nothing acknowledged waits on a background task —
 * and writes the job to the store, where `GET /epcis/capture/{captureID}` reads it from any
 * ingest instance. A party sees its own jobs; an admin or regulator every job.
 */
import { readsEverything, type Party } from '../../common/access/party-directory.js';
import { SuyuanError } from '../../common/errors.js';
import type { Store } from '../../common/store/store.js';
import type { CaptureJob } from '../../common/api/epcis.js';

export type { CaptureJob };

export interface CaptureJobs {
  record(party: string, job: CaptureJob): Promise<void>;
  get(caller: Party, captureId: string): Promise<CaptureJob>;
  /** The caller's jobs, newest first, `perPage` at a time after the job `after`. */
  list(caller: Party, perPage: number, after: string | undefined): Promise<CaptureJob[]>;
}

interface JobRow {
  readonly party: string;
  readonly job: string;
}

export function createCaptureJobs(store: Store): CaptureJobs {
  const notFound = (captureId: string) =>
    new SuyuanError('not_found', `captureID: no capture job ${captureId} of yours`);
  return {
    async record(party, job) {
      await store.insert('epcis_capture_jobs', [
        {
          capture_id: job.captureID,
          party,
          created_at: job.createdAt,
          finished_at: job.finishedAt,
          success: job.success ? 1 : 0,
          error_behaviour: job.captureErrorBehaviour,
          job: JSON.stringify(job),
        },
      ]);
    },
    async get(caller, captureId) {
      const [row] = await store.query<JobRow>(
        'SELECT party, job FROM epcis_capture_jobs FINAL WHERE capture_id = {id:String}',
        { id: captureId },
      );
      // Another party's job is answered like one that does not exist.
      if (!row || (row.party !== caller.partyId && !readsEverything(caller))) {
        throw notFound(captureId);
      }
      return JSON.parse(row.job) as CaptureJob;
    },
    async list(caller, perPage, after) {
      const rows = await store.query<JobRow>(
        `SELECT party, job FROM epcis_capture_jobs FINAL
         WHERE ({all:Bool} OR party = {party:String})
           AND ({after:String} = '' OR (created_at, capture_id) <
               (SELECT created_at, capture_id FROM epcis_capture_jobs FINAL
                WHERE capture_id = {after:String}))
         ORDER BY created_at DESC, capture_id DESC
         LIMIT {limit:UInt32}`,
        { all: readsEverything(caller), party: caller.partyId, after: after ?? '', limit: perPage },
      );
      return rows.map((row) => JSON.parse(row.job) as CaptureJob);
    },
  };
}
