import { loadConfig } from '../common/config.js';
import { isSuyuanError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { startEmbeddedPlatform } from './platform.js';

function printAdminKey(key: string): void {
  process.stdout.write(
    [
      '',
      '  Suyuan generated the first admin API key. It is shown only this once and stored hashed:',
      '',
      `    ${key}`,
      '',
      '  Keep it, or set SUYUAN_ADMIN_KEY yourself before the first start.',
      '',
    ].join('\n') + '\n',
  );
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  const platform = await startEmbeddedPlatform(config, logger.child({ mode: 'embedded' }));
  if (platform.generatedAdminKey) printAdminKey(platform.generatedAdminKey);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    platform.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const message = isSuyuanError(err) ? err.message : err instanceof Error ? err.stack : String(err);
  process.stderr.write(`suyuan: failed to start: ${message}\n`);
  process.exit(1);
});
