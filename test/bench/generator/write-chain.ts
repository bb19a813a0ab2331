/**
 * Writes a generated chain into a platform: straight into the event log as Avro (the fast path
 * that builds the million-batch graph) or through POST /v1/events as a client would, and
 * registers its parties. Both print progress about once a second.
 */
import type { PartyDirectory } from '../../../services/common/access/party-directory.js';
import type { EventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { logRecordOf } from '../../../services/common/events/log-record.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { EVENTS_TOPIC } from '../../../services/common/topics.js';
import { TEST_ADMIN_KEY } from '../../support/platform.js';
import { toSubmission, type ChainParty } from './supply-chain.js';

export interface Progress {
  /** Counts `count` more done; prints at most about once a second. */
  add(count: number): void;
  /** Prints the final line. */
  done(): void;
}

/** "label: 120 000 / 500 000 events, 41 000/s, ETA 9 s" about every second. */
export function createProgress(
  label: string,
  total: number,
  print: (line: string) => void,
  unit = 'events',
): Progress {
  const started = performance.now();
  let done = 0;
  let printedAt = started;
  const line = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = done / Math.max(seconds, 1e-3);
    const eta = total > done && rate > 0 ? `, ETA ${Math.ceil((total - done) / rate)} s` : '';
    return `${label}: ${done.toLocaleString('en')} / ~${total.toLocaleString('en')} ${unit}, ${Math.round(rate).toLocaleString('en')}/s${eta} (${seconds.toFixed(1)} s)`;
  };
  return {
    add(count) {
      done += count;
      const now = performance.now();
      if (now - printedAt >= 1000) {
        printedAt = now;
        print(line());
      }
    },
    done: () => print(line()),
  };
}

export interface WriteResult {
  readonly events: number;
  readonly seconds: number;
}

/**
 * Appends the events to the events topic in chunks, encoded and keyed as ingest does. Holds one
 * chunk at a time, so a stream of millions of events needs little memory.
 */
export async function writeEventsToLog(
  log: EventLog,
  codec: EventCodec,
  events: Iterable<SuyuanEvent>,
  options: { readonly chunkSize?: number; readonly progress?: Progress } = {},
): Promise<WriteResult> {
  const chunkSize = options.chunkSize ?? 5000;
  const started = performance.now();
  await log.ensureTopic(EVENTS_TOPIC);
  let chunk: Array<{ key: string; value: Buffer }> = [];
  let count = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await log.append(EVENTS_TOPIC, chunk);
    count += chunk.length;
    options.progress?.add(chunk.length);
    chunk = [];
  };
  for (const event of events) {
    chunk.push(logRecordOf(event, codec));
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  options.progress?.done();
  return { events: count, seconds: (performance.now() - started) / 1000 };
}

/** Registers every party in the directory (in-process, before a platform starts on the store). */
export async function registerPartiesInDirectory(
  directory: PartyDirectory,
  parties: readonly ChainParty[],
  progress?: Progress,
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const party of parties) {
    const created = await directory.create({ ...party, roles: [...party.roles] });
    keys.set(party.partyId, created.apiKey);
    progress?.add(1);
  }
  progress?.done();
  return keys;
}

async function postJson(url: string, key: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** Registers every party through POST /v1/parties with the admin key; returns their API keys. */
export async function registerPartiesOverHttp(
  baseUrl: string,
  parties: readonly ChainParty[],
  adminKey = TEST_ADMIN_KEY,
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const party of parties) {
    const { partyId, name, roles } = party;
    const response = await postJson(`${baseUrl}/v1/parties`, adminKey, { partyId, name, roles });
    if (response.status !== 201) {
      throw new Error(`creating party ${partyId}: ${response.status} ${response.text}`);
    }
    keys.set(partyId, (JSON.parse(response.text) as { apiKey: string }).apiKey);
  }
  return keys;
}

export interface PostResult extends WriteResult {
  readonly requests: number;
  /** Milliseconds from each request sent to its 202. */
  readonly latencies: number[];
}

/**
 * Posts the events through POST /v1/events as each acting party, in requests of `requestSize`
 * events per party (the API's maximum is 1000). Stops early when `shouldStop` says so.
 */
export async function postEventsOverHttp(
  baseUrl: string,
  keys: ReadonlyMap<string, string>,
  events: Iterable<SuyuanEvent>,
  options: {
    readonly requestSize?: number;
    readonly progress?: Progress;
    readonly shouldStop?: () => boolean;
    /** Leaves out each party's last, partial request (a steady load of full requests). */
    readonly fullRequestsOnly?: boolean;
  } = {},
): Promise<PostResult> {
  const requestSize = options.requestSize ?? 1000;
  const started = performance.now();
  const pending = new Map<string, Array<Record<string, unknown>>>();
  const latencies: number[] = [];
  let count = 0;
  const send = async (party: string, batch: Array<Record<string, unknown>>) => {
    const key = keys.get(party);
    if (!key) throw new Error(`keys: no API key for party ${party}`);
    const sent = performance.now();
    const response = await postJson(`${baseUrl}/v1/events`, key, { events: batch });
    if (response.status !== 202) {
      throw new Error(
        `POST /v1/events as ${party}: ${response.status} ${response.text.slice(0, 500)}`,
      );
    }
    latencies.push(performance.now() - sent);
    count += batch.length;
    options.progress?.add(batch.length);
  };
  for (const event of events) {
    if (options.shouldStop?.()) break;
    const batch = pending.get(event.party) ?? [];
    batch.push(toSubmission(event));
    pending.set(event.party, batch);
    if (batch.length >= requestSize) {
      pending.delete(event.party);
      await send(event.party, batch);
    }
  }
  for (const [party, batch] of options.fullRequestsOnly ? [] : pending) {
    if (options.shouldStop?.()) break;
    await send(party, batch);
  }
  options.progress?.done();
  return {
    events: count,
    requests: latencies.length,
    latencies,
    seconds: (performance.now() - started) / 1000,
  };
}
