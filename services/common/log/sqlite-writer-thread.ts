/**
 * The embedded log's writer thread (see sqlite-log-writer.ts): its own SQLite connection runs
 * every write group the log sends, so that the inserts and the commit's fsync take no time from
 * the thread that answers HTTP.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteLogStore } from './sqlite-log-store.js';
import { runWriteGroup, type WriterReply, type WriterRequest } from './sqlite-log-writes.js';

const port = parentPort;
if (!port) throw new Error('sqlite-writer-thread.ts runs as a worker thread only');
const store = openSqliteLogStore((workerData as { path: string }).path);
// Before any group: a thread that fails before saying so has run none (sqlite-log-writer.ts).
port.postMessage({ kind: 'ready' } satisfies WriterReply);
port.on('message', (request: WriterRequest) => {
  switch (request.kind) {
    case 'group':
      port.postMessage({
        kind: 'outcome',
        id: request.id,
        ...runWriteGroup(store, request.group),
      } satisfies WriterReply);
      break;
    case 'checkpointEvery':
      store.checkpointEvery(request.pages);
      break;
    case 'close':
      store.close();
      port.close();
      break;
  }
});
