/**
 * Configuration is read once from the environment, checked against a schema, and frozen.
 * A bad value stops start-up with a message naming the variable.
 */
import { join, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DEFAULT_RECALL_POLICY, recallPolicySchema, type RecallPolicy } from './recall-policy.js';
import { DEFAULT_WARNING_RULES, warningRulesSchema, type WarningRule } from './warning-rules.js';
import { SuyuanError } from './errors.js';
import { fieldIssues } from './invalid-input.js';
import type { EventLogConfig } from './log/create-event-log.js';
import type { StoreConfig } from './store/create-store.js';

const bool = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every variable of the platform's services; the README's configuration table lists each. */
/**
 * Failpoints: named places where a crash test makes the process SIGKILL itself, to prove that a
 * crash exactly there loses nothing (as TiKV's fail-rs and FoundationDB's simulation do). Only
 * SUYUAN_FAILPOINTS arms one; nothing sets it in production.
 * - `projector.after-serving-index`: the embedded projector has written a batch to the serving
 *   index and not yet to the store.
 */
export const FAILPOINTS = ['projector.after-serving-index'] as const;
export type Failpoint = (typeof FAILPOINTS)[number];
const isFailpoint = (name: string): name is Failpoint =>
  (FAILPOINTS as readonly string[]).includes(name);

export const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  SUYUAN_DATA_DIR: z.string().min(1).default('./data'),
  SUYUAN_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  EVENT_LOG: z.enum(['embedded', 'kafka']).default('embedded'),
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('suyuan'),
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"')
    .default(''),
  KAFKA_TOPIC_PARTITIONS: positiveInt(6),
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  STORE: z.enum(['chdb', 'clickhouse']).default('chdb'),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier')
    .default('default'),
  STARTUP_TIMEOUT_MS: positiveInt(60_000),
  SUYUAN_SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  SUYUAN_BODY_LIMIT_BYTES: positiveInt(16 * 1024 * 1024),
  TRACE_MAX_DEPTH: positiveInt(64),
  TRACE_MAX_NODES: positiveInt(5_000),
  SUYUAN_TRACE_CACHE_MB: z.coerce
    .number()
    .int()
    .min(0, 'must be a whole number of MiB, 0 to keep no traces')
    .default(64),
  PROJECTOR_BATCH_SIZE: positiveInt(5_000),
  PROJECTOR_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0, 'must be a whole number of milliseconds, 0 to insert at once')
    .max(10_000, 'must be at most 10000 ms: longer only delays the projection')
    .default(300),
  EPCIS_CAPTURE_LIMIT: positiveInt(1_000),
  CONSUMER_STALL_AFTER_MS: positiveInt(60_000),
  SUYUAN_RECALL_POLICY: z.string().optional(),
  SUYUAN_WEBHOOK_RETRY_SCHEDULE: z.string().default('5s,5m,30m,2h,5h,10h,10h'),
  SUYUAN_WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  SUYUAN_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  SUYUAN_INGEST_REPLICA: bool.default(true),
  NOTIFIER_POLL_INTERVAL_MS: positiveInt(500),
  SUYUAN_WARNING_WATCH_INTERVAL_MS: positiveInt(60_000),
  SUYUAN_SIGNING_KEY_FILE: z.string().min(1).optional(),
  SUYUAN_CHECKPOINT_INTERVAL_MS: positiveInt(10_000),
  SUYUAN_CHECKPOINT_EVERY_EVENTS: positiveInt(1_000),
  SUYUAN_RATE_LIMIT_MAX: positiveInt(1_200),
  SUYUAN_RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
  SUYUAN_AUTH_FAILURE_LIMIT_MAX: positiveInt(20),
  SUYUAN_AUTH_FAILURE_LIMIT_WINDOW_MS: positiveInt(60_000),
  SUYUAN_REFUSAL_LIMIT_MAX: positiveInt(60),
  SUYUAN_REFUSAL_LIMIT_WINDOW_MS: positiveInt(60_000),
  SUYUAN_LIMITED_HOLD_MS: z.coerce
    .number()
    .int()
    .min(0, 'must be from 0 to 10000 (ms)')
    .max(10_000, 'must be from 0 to 10000 (ms): a held answer keeps its connection open')
    .default(1_000),
  SUYUAN_PUBLIC_RATE_LIMIT_MAX: positiveInt(120),
  SUYUAN_PUBLIC_RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
  SUYUAN_PUBLIC_CHECK_FLUSH_MS: z.coerce
    .number()
    .int()
    .min(10, 'must be at least 10 (ms)')
    .max(60_000, 'must be at most 60000 (ms): a crash loses at most one interval of counts')
    .default(1_000),
  SUYUAN_SUSPICIOUS_NETWORKS: z.coerce
    .number()
    .int()
    .min(2, 'must be an integer from 2 to 1000: one network alone is no sign of a copy')
    .max(1_000, 'must be an integer from 2 to 1000')
    .default(5),
  SUYUAN_SUSPICIOUS_CHECKS: z.coerce
    .number()
    .int()
    .min(2, 'must be an integer of at least 2')
    .default(50),
  SUYUAN_WARNING_RULES: z.string().optional(),
  SUYUAN_GAP_UNRECEIVED_AFTER: z.string().default('72h'),
  SUYUAN_GAP_MAX_YIELD: z.coerce
    .number({ error: 'must be a number' })
    .positive('must be greater than 0')
    .max(1000, 'must be at most 1000')
    .default(1),
  SUYUAN_FAILPOINTS: z
    .string()
    .default('')
    .refine(
      (value) => value.split(',').every((name) => name.trim() === '' || isFailpoint(name.trim())),
      `expected a comma-separated list of failpoints (${FAILPOINTS.join(', ')})`,
    ),
  SUYUAN_TRUST_PROXY: z
    .string()
    .default('')
    .refine(
      (value) =>
        value.split(',').every((entry) => entry.trim() === '' || isProxyEntry(entry.trim())),
      'expected a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal or uniquelocal',
    ),
});

/** An entry Fastify's `trustProxy` (proxy-addr) reads: an address, a range, or a named range. */
function isProxyEntry(entry: string): boolean {
  return (
    ['loopback', 'linklocal', 'uniquelocal'].includes(entry) ||
    ipaddr.isValid(entry) ||
    ipaddr.isValidCIDR(entry)
  );
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "5s,5m,30m" → [5000, 300000, 1800000]; undefined when a part is not a duration. */
export function parseDurations(text: string): number[] | undefined {
  const parts = text.split(',').map((part) => DURATION.exec(part.trim()));
  if (parts.length === 0 || parts.some((match) => !match)) return undefined;
  return parts.map((match) => Number(match?.[1]) * (UNIT_MS[match?.[2] ?? 'ms'] ?? 1));
}

/**
 * A bad setting stops start-up: the operator reads which variable, which value and why. (Not a
 * request's field: no 400, no details; invalid-input.ts says those.)
 */
function configError(variable: string, value: string | undefined, message: string): SuyuanError {
  return new SuyuanError(
    'config_invalid',
    `invalid configuration: ${variable}=${JSON.stringify(value)}: ${message}`,
  );
}

function recallPolicyFrom(text: string | undefined): RecallPolicy {
  if (text === undefined) return DEFAULT_RECALL_POLICY;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw configError('SUYUAN_RECALL_POLICY', text, 'not valid JSON');
  }
  const parsed = recallPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = fieldIssues(parsed.error);
    throw configError('SUYUAN_RECALL_POLICY', text, `${issue?.path}: ${issue?.message}`);
  }
  return parsed.data;
}

function warningRulesFrom(text: string | undefined): readonly WarningRule[] {
  if (text === undefined) return DEFAULT_WARNING_RULES;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw configError('SUYUAN_WARNING_RULES', text, 'not valid JSON');
  }
  const parsed = warningRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = fieldIssues(parsed.error);
    throw configError('SUYUAN_WARNING_RULES', text, `${issue?.path}: ${issue?.message}`);
  }
  return Object.freeze(parsed.data);
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly adminKey: string | undefined;
  readonly eventLog: EventLogConfig;
  readonly store: StoreConfig;
  /** Confluent-compatible schema registry; the in-repo catalog ids are used without it. */
  readonly schemaRegistryUrl: string | undefined;
  /** How long a service waits for the log and the store at start before it gives up. */
  readonly startupTimeoutMs: number;
  /** How long a stop may take before the process exits non-zero, naming what did not stop. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
  /** Readable lines instead of JSON: LOG_PRETTY, else whether stdout is a terminal. */
  readonly logPretty: boolean;
  readonly bodyLimitBytes: number;
  readonly trace: {
    readonly maxDepth: number;
    readonly maxNodes: number;
    /** Bytes of regulators' trace answers kept between writes (embedded; 0 keeps none). */
    readonly cacheBytes: number;
  };
  readonly projectorBatchSize: number;
  /** After a batch that was not full, how long the projector and the proof keeper let events gather (ms). */
  readonly projectorLingerMs: number;
  /**
   * Distributed ingest: where the instance keeps its replica of the event index and the write
   * rules' reads, fed from Kafka (under its data directory); undefined: it asks the store.
   */
  readonly ingestReplicaPath: string | undefined;
  /** Most events one EPCIS capture takes (GS1-EPCIS-Capture-Limit); its file size limit is the body limit. */
  readonly epcisCaptureLimit: number;
  /** How long records may wait on a consumer that gets nowhere before /readyz says it is stalled. */
  readonly consumerStallAfterMs: number;
  readonly recallPolicy: RecallPolicy;
  /** The rules that turn signals into risk warnings (SUYUAN_WARNING_RULES). */
  readonly warningRules: readonly WarningRule[];
  /** How often the recall service looks for new 一级 warnings to push to regulators. */
  readonly warningWatchIntervalMs: number;
  readonly webhooks: {
    /** Delays before each retry, in milliseconds; attempts = retries + 1. */
    readonly retrySchedule: readonly number[];
    readonly timeoutMs: number;
    /** Lets webhooks reach loopback and private addresses (local use and tests). */
    readonly allowPrivate: boolean;
    readonly pollIntervalMs: number;
  };
  /** Requests per key per window, and failed authentications per client address per window. */
  readonly rateLimit: {
    readonly max: number;
    readonly windowMs: number;
    readonly authFailures: { readonly max: number; readonly windowMs: number };
    /** Refused requests (403) per key per window. */
    readonly refusals: { readonly max: number; readonly windowMs: number };
    /** How long a 429 is held before it is sent. */
    readonly limitedHoldMs: number;
    /** Requests per client address per window to the public check. */
    readonly perAddress: { readonly max: number; readonly windowMs: number };
  };
  /** The public trace-code check: how often its counts are written, what makes a code suspicious. */
  readonly publicCheck: {
    readonly flushIntervalMs: number;
    readonly suspicious: { readonly networks: number; readonly checks: number };
  };
  /** The broken-link and mass-balance checks of GET /v1/gaps. */
  readonly gaps: {
    /** A shipment line not received this long after it was shipped is a gap. */
    readonly unreceivedAfterMs: number;
    /** Outputs may weigh at most this many times their inputs (same unit). */
    readonly maxYield: number;
  };
  /** Proxies (the gateway) whose X-Forwarded-For names the client; undefined to trust none. */
  readonly trustProxy: string | undefined;
  /** Tamper evidence (docs/proofs.md): the checkpoint signing key and how often it signs. */
  readonly proofs: {
    /** PKCS#8 PEM of an Ed25519 key; generated there at first start when missing. */
    readonly signingKeyFile: string;
    readonly checkpointIntervalMs: number;
    readonly checkpointEveryEvents: number;
  };
  /** Where the process kills itself, for crash tests only (SUYUAN_FAILPOINTS); empty otherwise. */
  readonly failpoints: ReadonlySet<Failpoint>;
}

function retryScheduleFrom(text: string): number[] {
  const schedule = parseDurations(text);
  if (!schedule) {
    throw configError(
      'SUYUAN_WEBHOOK_RETRY_SCHEDULE',
      text,
      'expected durations like 5s,5m,30m,2h',
    );
  }
  return schedule;
}

function durationFrom(variable: string, text: string): number {
  const [duration, ...more] = parseDurations(text) ?? [];
  if (duration === undefined || more.length > 0) {
    throw configError(variable, text, 'expected one duration like 72h, 3d or 30m');
  }
  return duration;
}

type Environment = z.infer<typeof environmentSchema>;

function eventLogFrom(e: Environment, dataDir: string): EventLogConfig {
  if (e.EVENT_LOG === 'embedded') {
    return Object.freeze({ kind: 'embedded', path: join(dataDir, 'log', 'events.sqlite') });
  }
  const brokers = (e.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (brokers.length === 0) {
    throw configError(
      'KAFKA_BROKERS',
      e.KAFKA_BROKERS,
      'required with EVENT_LOG=kafka (host:port,…)',
    );
  }
  const bad = brokers.find((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker));
  if (bad) throw configError('KAFKA_BROKERS', e.KAFKA_BROKERS, `"${bad}" is not host:port`);
  return Object.freeze({
    kind: 'kafka',
    brokers: Object.freeze(brokers),
    clientId: e.KAFKA_CLIENT_ID,
    partitions: e.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: e.KAFKA_REPLICATION_FACTOR,
    namespace: e.KAFKA_NAMESPACE,
  });
}

function storeFrom(e: Environment, dataDir: string): StoreConfig {
  if (e.STORE === 'chdb') return Object.freeze({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  if (!e.CLICKHOUSE_URL) {
    throw configError('CLICKHOUSE_URL', e.CLICKHOUSE_URL, 'required with STORE=clickhouse');
  }
  return Object.freeze({
    kind: 'clickhouse',
    url: e.CLICKHOUSE_URL,
    username: e.CLICKHOUSE_USER,
    password: e.CLICKHOUSE_PASSWORD,
    database: e.CLICKHOUSE_DATABASE,
  });
}

/**
 * Checks environment variables against a schema; a bad value stops start-up with a message naming
 * each variable and its value. Every process's configuration goes through here.
 */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    return `${variable}=${JSON.stringify(env[variable])}: ${issue.message}`;
  });
  throw new SuyuanError('config_invalid', `invalid configuration: ${problems.join('; ')}`);
}

/**
 * `stdoutIsTerminal` picks the log format when LOG_PRETTY is not set: readable on a terminal, JSON
 * lines when piped to a collector or a file.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): Config {
  const e = parseEnvironment(environmentSchema, env);
  const dataDir = resolve(e.SUYUAN_DATA_DIR);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir,
    adminKey: e.SUYUAN_ADMIN_KEY,
    eventLog: eventLogFrom(e, dataDir),
    store: storeFrom(e, dataDir),
    schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    startupTimeoutMs: e.STARTUP_TIMEOUT_MS,
    shutdownTimeoutMs: e.SUYUAN_SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY ?? stdoutIsTerminal,
    bodyLimitBytes: e.SUYUAN_BODY_LIMIT_BYTES,
    trace: Object.freeze({
      maxDepth: e.TRACE_MAX_DEPTH,
      maxNodes: e.TRACE_MAX_NODES,
      cacheBytes: e.SUYUAN_TRACE_CACHE_MB * 1024 * 1024,
    }),
    projectorBatchSize: e.PROJECTOR_BATCH_SIZE,
    projectorLingerMs: e.PROJECTOR_LINGER_MS,
    epcisCaptureLimit: e.EPCIS_CAPTURE_LIMIT,
    ingestReplicaPath: e.SUYUAN_INGEST_REPLICA ? join(dataDir, 'ingest-replica') : undefined,
    consumerStallAfterMs: e.CONSUMER_STALL_AFTER_MS,
    recallPolicy: recallPolicyFrom(e.SUYUAN_RECALL_POLICY),
    warningRules: warningRulesFrom(e.SUYUAN_WARNING_RULES),
    warningWatchIntervalMs: e.SUYUAN_WARNING_WATCH_INTERVAL_MS,
    webhooks: Object.freeze({
      retrySchedule: Object.freeze(retryScheduleFrom(e.SUYUAN_WEBHOOK_RETRY_SCHEDULE)),
      timeoutMs: e.SUYUAN_WEBHOOK_TIMEOUT_MS,
      allowPrivate: e.SUYUAN_WEBHOOK_ALLOW_PRIVATE,
      pollIntervalMs: e.NOTIFIER_POLL_INTERVAL_MS,
    }),
    rateLimit: Object.freeze({
      max: e.SUYUAN_RATE_LIMIT_MAX,
      windowMs: e.SUYUAN_RATE_LIMIT_WINDOW_MS,
      authFailures: Object.freeze({
        max: e.SUYUAN_AUTH_FAILURE_LIMIT_MAX,
        windowMs: e.SUYUAN_AUTH_FAILURE_LIMIT_WINDOW_MS,
      }),
      refusals: Object.freeze({
        max: e.SUYUAN_REFUSAL_LIMIT_MAX,
        windowMs: e.SUYUAN_REFUSAL_LIMIT_WINDOW_MS,
      }),
      limitedHoldMs: e.SUYUAN_LIMITED_HOLD_MS,
      perAddress: Object.freeze({
        max: e.SUYUAN_PUBLIC_RATE_LIMIT_MAX,
        windowMs: e.SUYUAN_PUBLIC_RATE_LIMIT_WINDOW_MS,
      }),
    }),
    publicCheck: Object.freeze({
      flushIntervalMs: e.SUYUAN_PUBLIC_CHECK_FLUSH_MS,
      suspicious: Object.freeze({
        networks: e.SUYUAN_SUSPICIOUS_NETWORKS,
        checks: e.SUYUAN_SUSPICIOUS_CHECKS,
      }),
    }),
    gaps: Object.freeze({
      unreceivedAfterMs: durationFrom('SUYUAN_GAP_UNRECEIVED_AFTER', e.SUYUAN_GAP_UNRECEIVED_AFTER),
      maxYield: e.SUYUAN_GAP_MAX_YIELD,
    }),
    trustProxy: e.SUYUAN_TRUST_PROXY.trim() === '' ? undefined : e.SUYUAN_TRUST_PROXY,
    proofs: Object.freeze({
      signingKeyFile: resolve(
        e.SUYUAN_SIGNING_KEY_FILE ?? join(dataDir, 'keys', 'checkpoint-signing-key.pem'),
      ),
      checkpointIntervalMs: e.SUYUAN_CHECKPOINT_INTERVAL_MS,
      checkpointEveryEvents: e.SUYUAN_CHECKPOINT_EVERY_EVENTS,
    }),
    failpoints: new Set(
      e.SUYUAN_FAILPOINTS.split(',')
        .map((name) => name.trim())
        .filter(isFailpoint),
    ),
  });
}
