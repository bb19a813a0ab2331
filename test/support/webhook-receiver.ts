/**
 * A real HTTP server on loopback that records the webhooks it receives; its answer can be set
 * per path (e.g. fail twice, then succeed).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Answers for a path, used in order; after they run out it answers 200. */
  script(path: string, statuses: number[]): void;
  /** While held, requests wait unanswered (a slow receiver); releasing answers them. */
  hold(on: boolean): void;
  /** Requests waiting unanswered now. */
  readonly held: () => number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, number[]>();
  let holding = false;
  const waiting: Array<() => void> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const answer = () => {
        if (response.destroyed) return; // the sender is gone: nothing was delivered
        const path = request.url ?? '/';
        const status = scripts.get(path)?.shift() ?? 200;
        received.push({ path, headers: request.headers, body, status });
        response.writeHead(status).end();
      };
      if (holding) waiting.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    hold(on) {
      holding = on;
      if (!on) for (const answer of waiting.splice(0)) answer();
    },
    held: () => waiting.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
