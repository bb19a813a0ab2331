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
  /** A GET on the same connections (`key` may be empty for the public probes). */
  get(path: string, key: string): Promise<PostAnswer>;
  close(): void;
}

export function createJsonPoster(baseUrl: string, maxSockets: number): JsonPoster {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  const send = (method: string, path: string, key: string, body?: string) =>
    new Promise<PostAnswer>((resolve, reject) => {
      const outgoing = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          path,
          method,
          headers: {
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
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
    });
  return {
    post: (path, key, body) => send('POST', path, key, body),
    get: (path, key) => send('GET', path, key),
    close: () => agent.destroy(),
  };
}
