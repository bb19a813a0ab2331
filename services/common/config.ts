/**
 * Configuration is read once from the environment, checked against a schema, and frozen.
 * A bad value stops start-up with a message naming the variable.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_RECALL_POLICY, recallPolicySchema, type RecallPolicy } from '../recall/policy.js';
import { SuyuanError } from './errors.js';

const bool = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  SUYUAN_DATA_DIR: z.string().min(1).default('./data'),
  SUYUAN_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  EVENT_LOG: z.enum(['embedded']).default('embedded'),
  STORE: z.enum(['chdb']).default('chdb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),
  SUYUAN_BODY_LIMIT_BYTES: positiveInt(16 * 1024 * 1024),
  TRACE_MAX_DEPTH: positiveInt(64),
  TRACE_MAX_NODES: positiveInt(5_000),
  PROJECTOR_BATCH_SIZE: positiveInt(1_000),
  SUYUAN_RECALL_POLICY: z.string().optional(),
  SUYUAN_WEBHOOK_RETRY_SCHEDULE: z.string().default('5s,5m,30m,2h,5h,10h,10h'),
  SUYUAN_WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  SUYUAN_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  NOTIFIER_POLL_INTERVAL_MS: positiveInt(500),
  SUYUAN_RATE_LIMIT_MAX: positiveInt(1_200),
  SUYUAN_RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
});

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "5s,5m,30m" → [5000, 300000, 1800000]; undefined when a part is not a duration. */
export function parseDurations(text: string): number[] | undefined {
  const parts = text.split(',').map((part) => DURATION.exec(part.trim()));
  if (parts.length === 0 || parts.some((match) => !match)) return undefined;
  return parts.map((match) => Number(match?.[1]) * (UNIT_MS[match?.[2] ?? 'ms'] ?? 1));
}

function invalid(variable: string, value: string | undefined, message: string): SuyuanError {
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
    throw invalid('SUYUAN_RECALL_POLICY', text, 'not valid JSON');
  }
  const parsed = recallPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid('SUYUAN_RECALL_POLICY', text, `${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly adminKey: string | undefined;
  readonly eventLog: 'embedded';
  readonly store: 'chdb';
  readonly logLevel: string;
  readonly logPretty: boolean;
  readonly bodyLimitBytes: number;
  readonly trace: { readonly maxDepth: number; readonly maxNodes: number };
  readonly projectorBatchSize: number;
  readonly recallPolicy: RecallPolicy;
  readonly webhooks: {
    /** Delays before each retry, in milliseconds; attempts = retries + 1. */
    readonly retrySchedule: readonly number[];
    readonly timeoutMs: number;
    /** Lets webhooks reach loopback and private addresses (local use and tests). */
    readonly allowPrivate: boolean;
    readonly pollIntervalMs: number;
  };
  /** Requests per key per window. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
}

function retryScheduleFrom(text: string): number[] {
  const schedule = parseDurations(text);
  if (!schedule) {
    throw invalid('SUYUAN_WEBHOOK_RETRY_SCHEDULE', text, 'expected durations like 5s,5m,30m,2h');
  }
  return schedule;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      const value = env[variable];
      return `${variable}=${JSON.stringify(value)}: ${issue.message}`;
    });
    throw new SuyuanError('config_invalid', `invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.SUYUAN_DATA_DIR),
    adminKey: e.SUYUAN_ADMIN_KEY,
    eventLog: e.EVENT_LOG,
    store: e.STORE,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY,
    bodyLimitBytes: e.SUYUAN_BODY_LIMIT_BYTES,
    trace: Object.freeze({ maxDepth: e.TRACE_MAX_DEPTH, maxNodes: e.TRACE_MAX_NODES }),
    projectorBatchSize: e.PROJECTOR_BATCH_SIZE,
    recallPolicy: recallPolicyFrom(e.SUYUAN_RECALL_POLICY),
    webhooks: Object.freeze({
      retrySchedule: Object.freeze(retryScheduleFrom(e.SUYUAN_WEBHOOK_RETRY_SCHEDULE)),
      timeoutMs: e.SUYUAN_WEBHOOK_TIMEOUT_MS,
      allowPrivate: e.SUYUAN_WEBHOOK_ALLOW_PRIVATE,
      pollIntervalMs: e.NOTIFIER_POLL_INTERVAL_MS,
    }),
    rateLimit: Object.freeze({
      max: e.SUYUAN_RATE_LIMIT_MAX,
      windowMs: e.SUYUAN_RATE_LIMIT_WINDOW_MS,
    }),
  });
}
