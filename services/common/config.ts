/**
 * Configuration is read once from the environment, checked against a schema, and frozen.
 * A bad value stops start-up with a message naming the variable.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
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
});

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
  });
}
