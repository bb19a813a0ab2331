/**
 * `npm run replay`: rebuilds the trace projection from the event log (see ./replay.ts), with
 * progress on stderr. It reads the same environment as the platform (EVENT_LOG, STORE, …).
 * In embedded mode stop the platform first: chDB lets one process hold the data directory.
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../services/common/config.js';
import { isSuyuanError } from '../../services/common/errors.js';
import { createLogger } from '../../services/common/logger.js';
import { openFoundations } from '../../services/common/runtime/foundations.js';
import { servingIndexPath } from '../../services/common/serving/lmdb-serving-index.js';
import { replayProjection, type ReplayProgress } from './replay.js';

const USAGE = `Usage: npm run replay -- [--batch-size N]

Rebuilds the ClickHouse trace projection from the event log, from offset 0, into fresh tables,
then switches over. Reads the platform's configuration from the environment (EVENT_LOG, STORE,
SUYUAN_DATA_DIR, KAFKA_BROKERS, CLICKHOUSE_URL, …). In embedded mode, stop the platform first.

Options:
  --batch-size <n>   records read and written per round (default 5000)
  -h, --help         show this help`;

function progressPrinter(): (progress: ReplayProgress) => void {
  const started = Date.now();
  let lastPrinted = 0;
  return ({ phase, done, total }) => {
    const now = Date.now();
    if (done !== total && now - lastPrinted < 1_000) return;
    lastPrinted = now;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    const seconds = Math.max((now - started) / 1000, 0.001);
    process.stderr.write(
      `replay ${phase}: ${done}/${total} records (${percent}%), ${Math.round(done / seconds)} records/s\n`,
    );
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'batch-size': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`--batch-size must be a positive integer, got "${values['batch-size']}"`);
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty }).child({
    service: 'replay',
  });
  const foundations = await openFoundations(
    { ...config, startupTimeoutMs: Math.min(config.startupTimeoutMs, 10_000) },
    logger,
  );
  try {
    const started = Date.now();
    const result = await replayProjection({
      ...foundations,
      logger,
      batchSize,
      onProgress: progressPrinter(),
    });
    if (config.store.kind === 'chdb') {
      // The embedded platform's serving index mirrors the tables just rebuilt: removed, it is
      // rebuilt from the log when the platform starts (services/projector/serving-catch-up.ts).
      await rm(servingIndexPath(config.dataDir), { recursive: true, force: true });
    }
    process.stderr.write(
      `replay done: ${result.records} records into ${result.tables.length} tables in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; ${result.undecodable} undecodable skipped\n`,
    );
  } finally {
    await foundations.close();
  }
}

main().catch((error: unknown) => {
  const message = isSuyuanError(error)
    ? error.message
    : error instanceof Error
      ? error.message
      : String(error);
  process.stderr.write(`suyuan replay: ${message}\n`);
  process.exit(1);
});
