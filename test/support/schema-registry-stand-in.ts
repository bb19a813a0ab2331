/**
 * A stand-in for a Confluent schema registry, for the tests that use SCHEMA_REGISTRY_URL.
 *
 * No schema registry can run on this machine: Confluent's is not published to Maven Central (nor
 * to any registry reachable here), and there is no Docker engine. So this is an in-test HTTP
 * server answering what Suyuan (a producer) and a stock Confluent deserializer (a consumer) call,
 * after Confluent's REST API:
 * - POST /subjects/{subject}/versions with {"schema": "<json>"} answers {"id": n}; one schema text
 *   gets one id across subjects, and a new version only when the subject lacks it; a refused
 *   subject answers 409 with {error_code, message};
 * - GET /schemas/ids/{id} answers {"schema": "<json>"} (what every deserializer asks);
 * - GET /subjects, GET /subjects/{subject}/versions and GET /subjects/{subject}/versions/{n|latest}
 *   ({subject, version, id, schema}).
 * Unknown ids and subjects answer 404 with Confluent's error codes (40403, 40401, 40402). Its ids
 * start at 101, so they cannot be mistaken for the catalog's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Registration {
  readonly subject: string;
  readonly contentType: string | undefined;
  readonly schema: string;
}

export interface StandInRegistry {
  readonly url: string;
  /** Every registration request, in order. */
  readonly registrations: Registration[];
  /** Subjects answered with 409 incompatible. */
  readonly refused: Set<string>;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': CONTENT_TYPE });
  response.end(JSON.stringify(body));
}

const notFound = (response: ServerResponse, code: number, message: string) =>
  reply(response, 404, { error_code: code, message });

async function readJson(request: IncomingMessage): Promise<{ schema?: unknown }> {
  let text = '';
  for await (const chunk of request) text += (chunk as Buffer).toString();
  return JSON.parse(text) as { schema?: unknown };
}

export async function startStandInRegistry(): Promise<StandInRegistry> {
  const registrations: Registration[] = [];
  const refused = new Set<string>();
  const idBySchema = new Map<string, number>();
  const schemaById = new Map<number, string>();
  /** Each subject's schema ids, version n at index n − 1. */
  const versions = new Map<string, number[]>();

  const register = async (request: IncomingMessage, response: ServerResponse, subject: string) => {
    const { schema } = await readJson(request);
    if (typeof schema !== 'string') {
      return reply(response, 422, { error_code: 42201, message: 'Invalid schema' });
    }
    registrations.push({ subject, contentType: request.headers['content-type'], schema });
    if (refused.has(subject)) {
      return reply(response, 409, {
        error_code: 409,
        message: `Schema being registered is incompatible with an earlier schema for subject "${subject}"`,
      });
    }
    const id = idBySchema.get(schema) ?? 101 + idBySchema.size;
    idBySchema.set(schema, id);
    schemaById.set(id, schema);
    const ids = versions.get(subject) ?? [];
    if (!ids.includes(id)) versions.set(subject, [...ids, id]);
    reply(response, 200, { id });
  };

  const version = (response: ServerResponse, subject: string, which: string) => {
    const ids = versions.get(subject);
    if (!ids) return notFound(response, 40401, `Subject '${subject}' not found.`);
    const number = which === 'latest' ? ids.length : Number(which);
    const id = ids[number - 1];
    if (id === undefined) return notFound(response, 40402, `Version ${which} not found.`);
    reply(response, 200, { subject, version: number, id, schema: schemaById.get(id) });
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://registry').pathname;
    const parts = path.split('/').slice(1).map(decodeURIComponent);
    const method = request.method ?? 'GET';
    if (method === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids' && parts.length === 3) {
      const schema = schemaById.get(Number(parts[2]));
      if (schema === undefined) return notFound(response, 40403, 'Schema not found');
      return reply(response, 200, { schema });
    }
    if (parts[0] === 'subjects') {
      const subject = parts[1];
      if (method === 'GET' && parts.length === 1) return reply(response, 200, [...versions.keys()]);
      if (subject !== undefined && parts[2] === 'versions') {
        if (method === 'POST' && parts.length === 3) return register(request, response, subject);
        if (method === 'GET' && parts.length === 3) {
          const ids = versions.get(subject);
          if (!ids) return notFound(response, 40401, `Subject '${subject}' not found.`);
          return reply(
            response,
            200,
            ids.map((_, index) => index + 1),
          );
        }
        if (method === 'GET' && parts.length === 4) return version(response, subject, parts[3]!);
      }
    }
    reply(response, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) =>
      reply(response, 500, { error_code: 500, message: String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    registrations,
    refused,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
