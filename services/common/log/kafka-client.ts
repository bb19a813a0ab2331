/**
 * What the parts of the Kafka event log share: a kafkajs client tuned so that an unreachable broker
 * makes operations fail in bounded time, kafkajs's own logging routed to pino, the conversion of
 * kafkajs messages to the port's `StoredRecord`, and the error every failure becomes.
 */
import { Kafka, logLevel, type IHeaders, type KafkaMessage, type LogEntry } from 'kafkajs';
import { SuyuanError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StoredRecord } from './event-log.js';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
}

/**
 * kafkajs retries connections and requests on its own. These bounds keep one attempt short
 * (connect ≤ 3 s, request ≤ 10 s) and all retries of one operation within a few seconds; the
 * adapter adds an overall deadline on top, as kafkajs nests retries (a send retries a connect that
 * itself retries).
 */
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;
const RETRY = { initialRetryTime: 250, maxRetryTime: 2_000, retries: 4 } as const;

/** Known kafkajs warnings about choices this adapter made on purpose; logged at debug. */
const EXPECTED_WARNINGS = [
  // The adapter bounds retries so a failed append is reported, and replaces the producer after
  // any failed send, so no later send reuses sequence numbers of an append in doubt.
  'Limiting retries for the idempotent producer',
];

export function createKafkaClient({ brokers, clientId, logger }: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    retry: RETRY,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => logKafkajsEntry(logger, entry),
  });
}

function logKafkajsEntry(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message: raw, timestamp: _timestamp, logger: _kafkajsLogger, ...fields } = log;
  // Typed as a string, but kafkajs sometimes logs an Error object itself.
  const message: unknown = raw;
  const text = typeof message === 'string' ? message : 'kafkajs error';
  const context = {
    kafkajs: namespace,
    ...fields,
    ...(message instanceof Error ? { err: message } : {}),
  };
  // kafkajs logs each failed attempt of what it then retries at error level; what finally fails
  // is reported by the adapter itself (a rejected call, a crashed consumer), so warn is enough.
  const expected = EXPECTED_WARNINGS.some((warning) => text.startsWith(warning));
  const kafkajsLevel = level === logLevel.ERROR ? 'error' : 'warn';
  logger[expected ? 'debug' : 'warn']({ ...context, kafkajsLevel }, text);
}

/** Header values as strings; a header repeated within one record keeps its last value. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}

export function toStoredRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
): StoredRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key?.toString('utf8') ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: decodeHeaders(message.headers),
  };
}

/** The error every failed Kafka operation becomes: retryable, answered with 503 over HTTP. */
export function logUnavailable(operation: string, cause: unknown): SuyuanError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new SuyuanError('log_unavailable', `kafka event log: ${operation} failed${reason}`, {
    cause,
  });
}

/**
 * Runs `work` and rejects with `log_unavailable` when it fails or takes longer than `timeoutMs`.
 * A late outcome of `work` is ignored (Promise.race keeps it from being an unhandled rejection).
 */
export async function withinDeadline<T>(
  operation: string,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the Kafka cluster within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), deadline]);
  } catch (cause) {
    throw cause instanceof SuyuanError ? cause : logUnavailable(operation, cause);
  } finally {
    clearTimeout(timer);
  }
}

interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * A kafkajs producer or admin client, connected on first use and shared by later calls. A client
 * that failed (to connect, or later, when the caller `discard`s it) is disconnected and replaced by
 * a fresh one at the next use.
 */
export interface LazyClient<T extends Connectable> {
  get(): Promise<T>;
  discard(client: T): void;
  close(): Promise<void>;
}

export function lazyClient<T extends Connectable>(
  create: () => T,
  logger: Logger,
  what: string,
): LazyClient<T> {
  let current: { client: T; ready: Promise<T> } | undefined;

  function drop(client: T): void {
    if (current?.client === client) current = undefined;
    client.disconnect().catch((err: unknown) => logger.debug({ err }, `${what} disconnect failed`));
  }

  return {
    get() {
      if (!current) {
        const client = create();
        const ready = client.connect().then(() => client);
        current = { client, ready };
        ready.catch(() => drop(client));
      }
      return current.ready;
    },
    discard: drop,
    async close() {
      const closing = current;
      current = undefined;
      if (closing) await closing.client.disconnect();
    },
  };
}
