/**
 * A service whose stop never finishes, run by the real `runService` in its own process: the
 * stand-in for a worker that hangs on shutdown (test/e2e/shutdown.test.ts). Nothing in the
 * platform hangs on purpose, so the test needs one that does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runService } from '../../services/common/runtime/run-service.js';

runService('stubborn', async () => {
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let stopping: string | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stopping: () => stopping,
    stop: () => {
      stopping = 'the stubborn worker';
      return new Promise<void>(() => undefined);
    },
  };
});
