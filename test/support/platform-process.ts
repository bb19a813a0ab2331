/**
 * Runs the embedded platform as a real child process (`services/embedded/main.ts`), so tests
 * can kill it with SIGKILL and start it again on the same data directory.
 */
import { TEST_ADMIN_KEY } from './platform.js';
import { spawnService, type ServiceProcess } from './service-process.js';

export type PlatformProcess = ServiceProcess;

export function spawnPlatform(
  dataDir: string,
  env: Record<string, string> = {},
  /** How long it may take to listen: a data directory without a serving index builds one first. */
  timeoutMs = 60_000,
  /** Called with each line it prints, from its start. */
  onLine?: (line: string) => void,
): Promise<PlatformProcess> {
  return spawnService(
    'services/embedded/main.ts',
    {
      PORT: '0',
      HOST: '127.0.0.1',
      SUYUAN_DATA_DIR: dataDir,
      SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'info',
      ...env,
    },
    { name: 'the platform process', timeoutMs, ...(onLine && { onLine }) },
  );
}
