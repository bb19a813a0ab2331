/**
 * A service whose stop logs its last lines and finishes at once, run by the real `runService` in
 * its own process (test/e2e/shutdown.test.ts). The lines are still queued for standard output when
 * the process exits, so the exit must flush them: the moment at which a logger that retries a
 * closed pipe for ever would hang.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runService } from '../../services/common/runtime/run-service.js';

runService('last-words', async (_config, logger) => {
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      for (let line = 0; line < 100; line += 1) logger.info({ line }, 'stopping');
      server.close();
      return Promise.resolve();
    },
  };
});
