/**
 * What the ingest benchmark posts: the generator's supply chain (test/bench/generator), each event
 * posted by the party that recorded it, 1000 events of one party per request as a client batches
 * its own uploads, or one event per request. The same seed yields the same requests in the same
 * order, so the raw producer can send exactly the records ingest appended: the same validation,
 * log key and Avro encoding, from `logRecordsFor`.
 */
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { logRecordOf } from '../../../services/common/events/log-record.js';
import type { LogRecord, RecordIdentity } from '../../../services/common/log/event-log.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { TEST_ADMIN_KEY } from '../../support/platform.js';
import { createSupplyChain, toSubmission, type ChainParty } from '../generator/supply-chain.js';
import type { JsonPoster } from './http-client.js';
import { runLoad } from './load.js';

export type IdentifiedRecord = LogRecord & { readonly identity: RecordIdentity };

export interface IngestRequest {
  /** The acting party: its API key authenticates the request. */
  readonly party: string;
  readonly body: string;
  readonly events: number;
}

export interface IngestWorkload {
  readonly parties: readonly ChainParty[];
  /**
   * The next `count` requests of `perRequest` events each (1, or the size of a full batch);
   * successive calls never repeat an event.
   */
  take(count: number, perRequest: number): IngestRequest[];
}

/**
 * `batches` sizes the chain and so its party count; only as much of it is generated as the
 * requests taken need (a 40 000-batch chain gives ~110 full 1000-event requests).
 */
export function createIngestWorkload(seed: number, batches: number): IngestWorkload {
  const chain = createSupplyChain({ batches, seed, tag: 'ING-' });
  const events = chain.events();
  const pending = new Map<string, Array<Record<string, unknown>>>();
  const next = (): SuyuanEvent => {
    const step = events.next();
    if (step.done) throw new Error(`ingest workload: the ${batches}-batch chain ran out of events`);
    return step.value;
  };
  const nextBatch = (size: number): IngestRequest => {
    for (;;) {
      const event = next();
      const batch = pending.get(event.party) ?? [];
      batch.push(toSubmission(event));
      pending.set(event.party, batch);
      if (batch.length === size) {
        pending.delete(event.party);
        return { party: event.party, body: JSON.stringify({ events: batch }), events: size };
      }
    }
  };
  const nextSingle = (): IngestRequest => {
    const event = next();
    return { party: event.party, body: JSON.stringify(toSubmission(event)), events: 1 };
  };
  return {
    parties: chain.parties,
    take: (count, perRequest) =>
      Array.from({ length: count }, () =>
        perRequest === 1 ? nextSingle() : nextBatch(perRequest),
      ),
  };
}

/** Creates the chain's parties on a platform, `clients` at a time; returns their API keys. */
export async function registerParties(
  poster: JsonPoster,
  parties: readonly ChainParty[],
  clients = 8,
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  await runLoad(clients, parties.length, async (index) => {
    const party = parties[index] as ChainParty;
    const { partyId, name, roles } = party;
    const body = JSON.stringify({ partyId, name, roles });
    const answer = await poster.post('/v1/parties', TEST_ADMIN_KEY, body);
    if (answer.status !== 201)
      throw new Error(`creating party ${partyId}: ${answer.status} ${answer.body.slice(0, 300)}`);
    keys.set(partyId, (JSON.parse(answer.body) as { apiKey: string }).apiKey);
    return 1;
  });
  return keys;
}

/** What ingest appends for each request: the same validation, key and encoding. */
export function logRecordsFor(requests: readonly IngestRequest[]): LogRecord[][] {
  return identifiedLogRecordsFor(requests).map((records) =>
    records.map(({ key, value }) => ({ key, value })),
  );
}

/** The same, with the identity (event id and fingerprint) the embedded log indexes with each. */
export function identifiedLogRecordsFor(requests: readonly IngestRequest[]): IdentifiedRecord[][] {
  const codec = createEventCodec();
  const recordedAt = new Date().toISOString();
  return requests.map((request) =>
    parseSubmission(JSON.parse(request.body), request.party).map((submitted) =>
      logRecordOf({ ...submitted, recordedAt }, codec),
    ),
  );
}
