/**
 * The ingest floor of the online scenario: a process that does to each POST /v1/events what the
 * embedded platform does before its log append, and keeps nothing. It reads the body with the
 * platform's parser, validates it (parse-submission.ts), fingerprints, stamps and Avro-encodes
 * each event (logRecordOf), and answers 202 with the platform's answer for new events, through the
 * platform's route definition. It skips the API key lookup, the idempotency and reference checks,
 * the append and everything after it.
 *
 * The bench loads it the way it loads the platform. What it acknowledges is the most one Node
 * process on this machine could, whatever the log and the store cost, and the platform's
 * 1000-event figure is read beside it. The bench starts it through service-process.ts, which
 * waits for the "service listening" line; SIGTERM stops it.
 */
import Fastify from 'fastify';
import { createEventCodec } from '../../../services/common/events/codec.js';
import { logRecordOf } from '../../../services/common/events/log-record.js';
import { installErrorHandler } from '../../../services/common/http/error-handler.js';
import { mountOperation } from '../../../services/common/http/operations.js';
import { installRequestBody } from '../../../services/common/http/request-body.js';
import { loadConfig } from '../../../services/common/config.js';
import { postEventsOperation } from '../../../services/ingest/operations.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';

const FLOOR_PARTY = 'ingest-floor';

const app = Fastify({ bodyLimit: loadConfig({}).bodyLimitBytes });
// As the platform's app (http-app.ts): schemas only document, answers are JSON.stringify'd.
app.setValidatorCompiler(() => () => true);
app.setSerializerCompiler(() => (data) => JSON.stringify(data));
installErrorHandler(app);
installRequestBody(app);
const codec = createEventCodec();
mountOperation(app, postEventsOperation, async ({ body, reply }) => {
  const events = parseSubmission(body, FLOOR_PARTY);
  const recordedAt = new Date().toISOString();
  const results = events.map((event) => {
    logRecordOf({ ...event, recordedAt }, codec);
    return { eventId: event.eventId, status: 'accepted' as const };
  });
  return reply.status(202).send({ results });
});

// Stoppable before it says it listens: the bench may signal as soon as it reads the line.
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(JSON.stringify({ url, msg: 'service listening' }));
