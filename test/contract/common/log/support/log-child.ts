/**
 * A process that uses the event log until the contract suite kills it. The job comes as JSON in
 * SUYUAN_LOG_CHILD_JOB; results go to stdout as one JSON array of positions a line.
 *   append:  appends `appends` times `recordsPerAppend` records, printing each append's receipts
 *            only after `append` resolved.
 *   consume: subscribes, prints the positions of each batch and never finishes handling it, so
 *            nothing is ever committed.
 */
import { pino } from 'pino';
import { createEventLog } from '../../../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../../../services/common/log/event-log.js';
import {
  childRecord,
  LOG_CHILD_JOB_ENV,
  type LogChildJob,
  type Position,
} from './log-child-process.js';

function report(positions: readonly Position[]): void {
  const line = positions.map(({ partition, offset }) => ({ partition, offset }));
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function appendRecords(log: EventLog, job: Extract<LogChildJob, { mode: 'append' }>) {
  for (let appendIndex = 0; appendIndex < job.appends; appendIndex++) {
    const records = Array.from({ length: job.recordsPerAppend }, (_, index) =>
      childRecord(appendIndex, index),
    );
    report(await log.append(job.topic, records));
  }
  await log.close();
}

async function consumeWithoutCommitting(
  log: EventLog,
  job: Extract<LogChildJob, { mode: 'consume' }>,
) {
  // A pending promise does not keep Node alive; this timer does, until the parent kills us.
  setInterval(() => undefined, 60_000);
  await log.subscribe({
    topic: job.topic,
    groupId: job.groupId,
    handleBatch: (records) => {
      report(records);
      return new Promise<void>(() => undefined);
    },
  });
}

const job = JSON.parse(process.env[LOG_CHILD_JOB_ENV] ?? 'null') as LogChildJob | null;
if (!job) throw new Error(`${LOG_CHILD_JOB_ENV} is not set`);
const log = createEventLog(job.config, pino({ level: 'warn' }, pino.destination(2)));
if (job.mode === 'append') await appendRecords(log, job);
else await consumeWithoutCommitting(log, job);
