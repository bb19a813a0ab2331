/**
 * A lean HTTP client for load: node:http with a keep-alive agent and bodies serialized before the
 * clock starts, so the load generator (on the same 2 cores as the platform) spends as little CPU
 * per request as it can. fetch costs noticeably more per request at single-event sizes.
 */
import { Agent, request } from 'node:http';

export interface PostAnswer {
  readonly status: number;
  readonly body: string;
}

export interface JsonPoster {
  post(path: string, key: string, body: string): Promise<PostAnswer>;
  close(): void;
}

export function createJsonPoster(baseUrl: string, maxSockets: number): JsonPoster {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  return {
    post: (path, key, body) =>
      new Promise<PostAnswer>((resolve, reject) => {
        const outgoing = request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            path,
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                body: Buffer.concat(chunks).toString(),
              }),
            );
            response.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      }),
    close: () => agent.destroy(),
  };
}
