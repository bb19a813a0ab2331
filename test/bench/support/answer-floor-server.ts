/**
 * The answer floor of the online scenario: a process that answers each GET of a path it was given
 * with the bytes the platform answered that path with, kept in memory, and does nothing else: no
 * routing framework, no authentication, no rate limit, no audit. What it sends per second, and
 * how long a client waits for it, is what moving answers of that size costs here with nothing
 * else to do, whatever the platform costs; the ~1 000-node trace's figures are read beside it.
 * (Inside the bench it has measured below the platform in some pairs, alone the same as a Fastify
 * server sending the same bytes: README, "The ~1 000-node trace".)
 *
 * `ANSWERS` names a JSON file of `{ path, contentType, bodyFile }` (answer-floor.ts writes it).
 * The bench starts it through service-process.ts, which waits for the "service listening" line;
 * SIGTERM stops it.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface KeptAnswer {
  readonly path: string;
  readonly contentType: string;
  readonly bodyFile: string;
}

const manifest = process.env.ANSWERS;
if (!manifest) throw new Error('ANSWERS: the file listing the answers to keep is required');
const answers = new Map(
  (JSON.parse(readFileSync(manifest, 'utf8')) as KeptAnswer[]).map((answer) => [
    answer.path,
    { contentType: answer.contentType, body: readFileSync(answer.bodyFile) },
  ]),
);

const server = createServer((request, response) => {
  const answer = answers.get(request.url ?? '');
  if (request.method !== 'GET' || !answer) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ message: `path: the answer floor keeps no answer for ${request.url}` }),
    );
    return;
  }
  response.writeHead(200, {
    'content-type': answer.contentType,
    'content-length': answer.body.length,
  });
  response.end(answer.body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, msg: 'service listening' }));
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
