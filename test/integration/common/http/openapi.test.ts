/**
 * The OpenAPI document of the real embedded platform: public, complete (every route the app
 * registers, each with an operationId and a summary), valid for a stock linter (Redocly), and
 * the contract the answers are checked against. A request the document would refuse still gets
 * our handlers' own refusal, naming the field.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryParameters } from '../../../../services/common/epcis/query-params.js';
import type { HttpAppDeps } from '../../../../services/common/http/http-app.js';
import { answerCheckFor } from '../../../support/answer-schemas.js';
import { produced } from '../../../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../../../support/platform.js';

/** Every route the services register on the app, seen as Fastify adds it. */
const registered = vi.hoisted(() => new Set<string>());
vi.mock('../../../../services/common/http/http-app.js', async (importOriginal) => {
  const real =
    await importOriginal<typeof import('../../../../services/common/http/http-app.js')>();
  return {
    ...real,
    createHttpApp: async (deps: HttpAppDeps) => {
      const app = await real.createHttpApp(deps);
      app.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) registered.add(`${method} ${route.url}`);
      });
      return app;
    },
  };
});

interface Operation {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  security: unknown[];
  components: { securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

/** The routes of DESIGN §6 and the admin's; any other route must be documented all the same. */
const KNOWN_ROUTES = [
  'POST /v1/events',
  'POST /v1/parties',
  'POST /v1/parties/{partyId}/keys',
  'GET /v1/parties/{partyId}/keys',
  'DELETE /v1/parties/{partyId}/keys/{keyId}',
  'GET /v1/batches/{batchId}',
  'GET /v1/batches/{batchId}/trace',
  'GET /v1/batches',
  'GET /v1/audit',
  'GET /v1/recalls',
  'GET /v1/recalls/{recallId}',
  'GET /v1/recalls/{recallId}/notices',
  'GET /v1/recalls/{recallId}/report',
  'POST /v1/recalls/mock',
  'GET /v1/notices',
  'GET /v1/gaps',
  'GET /v1/exports/fsma204',
  'GET /v1/warnings',
  'POST /v1/warnings/{warningId}/state',
  'GET /v1/failure-rates',
];

let platform: TestPlatform;
let plant: string;
let doc: OpenApiDocument;

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      route: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );

beforeAll(async () => {
  platform = await startTestPlatform();
  plant = await platform.createParty('plant-1');
  const response = await fetch(`${platform.url}/openapi.json`);
  expect(response.status).toBe(200);
  doc = (await response.json()) as OpenApiDocument;
});
afterAll(() => platform?.stop());

describe('the OpenAPI document', () => {
  it('is served at /openapi.json without an API key, as OpenAPI 3', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Suyuan 溯源 API', version: manifest.version });
  });

  it('describes every /v1 route the app registers, and no other', () => {
    const appRoutes = [...registered]
      .filter((route) => / \/v1\//.test(route) && !route.startsWith('HEAD '))
      .map((route) => route.replace(/:(\w+)/g, '{$1}'));
    expect(appRoutes).toEqual(expect.arrayContaining(KNOWN_ROUTES));
    const documented = operations()
      .map(({ route }) => route)
      .filter((route) => / \/v1\//.test(route));
    expect(documented.sort()).toEqual(appRoutes.sort());
  });

  it('names every operation once (operationId) and sums it up, and says where it is served', () => {
    const ids = operations().map(({ route, operation }) => {
      expect(operation.operationId, route).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.summary, route).toBeTruthy();
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  const anyParameterName = (route: string) => route.replaceAll(/\{\w+\}/g, '{…}');

  it("is the README's API table: every operation listed there, and nothing else", () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.split('\n## The HTTP API\n')[1]?.trim().split('\n\n')[0] ?? '';
    const listed = table
      .split('\n')
      .flatMap((row) => (row.split('|')[1] ?? '').split(','))
      .map((cell) => cell.trim().replaceAll('`', '').split('?')[0] ?? '')
      .filter((route) => /^(GET|POST|PUT|DELETE) \//.test(route))
      .map(anyParameterName);
    // The README may name a path parameter more briefly than the route: /v1/parties/{id}.
    const documented = operations().map(({ route }) => anyParameterName(route));
    expect([...new Set(listed)].sort()).toEqual(
      [...documented, 'GET /openapi.json', 'GET /docs', 'GET /console/'].sort(),
    );
  });

  it('passes the Redocly linter with no errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'suyuan-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
      const lint = spawnSync(process.execPath, [cli, 'lint', file, '--format=stylish'], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        timeout: 60_000,
      });
      const output = `${lint.stdout}${lint.stderr}`;
      expect(lint.status, output).toBe(0);
      expect(output).not.toMatch(/\berror\b/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes each route with a summary, its answer and its errors', () => {
    const byRoute = new Map(operations().map(({ route, operation }) => [route, operation]));
    for (const route of KNOWN_ROUTES) {
      const operation = byRoute.get(route);
      expect(operation?.summary, route).toBeTruthy();
      expect(Object.keys(operation?.responses ?? {}), route).toEqual(
        expect.arrayContaining([expect.stringMatching(/^2\d\d$/), '401', '503']),
      );
    }
  });

  it('declares the bearer API key for every operation but the probes and the public check', () => {
    expect(doc.components.securitySchemes.apiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    for (const { route, operation } of operations()) {
      const isPublic = [
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /t/{code}',
        'GET /01/{gtin}/10/{lot}',
        'GET /01/{gtin}/21/{serial}',
      ].includes(route);
      expect(operation.security, route).toEqual(isPublic ? [] : undefined);
    }
  });
});

describe('answers checked against the document', () => {
  it('fails an answer with a field the contract does not declare, or without one it does', async () => {
    const check = await answerCheckFor(platform.url);
    const response = await platform.request<Record<string, unknown>>('GET', '/v1/notices', {
      key: plant,
    });
    expect(response.status).toBe(200);
    const answer = { results: [{ eventId: 'e-1', status: 'accepted' }] };
    expect(() => check('POST', '/v1/events', 202, answer)).not.toThrow();
    expect(() => check('POST', '/v1/events', 202, { ...answer, note: 'hi' })).toThrow(
      /POST \/v1\/events → 202: the answer breaks its schema/,
    );
    expect(() => check('POST', '/v1/events', 202, {})).toThrow(/results/);
    expect(() => check('GET', '/v1/notices', 418, [])).toThrow(/does not list this status/);
    const refusal = { error: 'invalid_request', message: 'q: must be 1 to 200 characters' };
    expect(() => check('GET', '/v1/batches?q=', 400, refusal)).not.toThrow();
    expect(() => check('GET', '/v1/batches?q=', 400, { ...refusal, error: 'oops' })).toThrow();
  });
});

describe('the interactive docs', () => {
  it('serve Swagger UI and its assets at /docs without an API key', async () => {
    const page = await fetch(`${platform.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const asset = await fetch(`${platform.url}/docs/static/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    // Read to the end: an unread body holds its connection open, and the platform's stop waits.
    await asset.arrayBuffer();
  });
});

describe('schemas document; the handlers decide', () => {
  it('answers an event the schema would reject with our message naming the field', async () => {
    const response = await platform.postEvents(plant, [produced('B-1', [], { quantity: 'x' })]);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'invalid_event',
      message: 'events[0].quantity: must be a number',
      details: [{ index: 0, path: 'quantity', message: 'must be a number' }],
    });
  });

  it('refuses an eventType that only an object prototype knows, naming the field', async () => {
    const response = await platform.postEvents(plant, [
      { ...produced('B-2'), eventType: 'constructor' },
    ]);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      message: expect.stringMatching(/^events\[0\]\.eventType: unknown event type/),
    });
  });

  it('answers a query parameter the schema would reject with our message', async () => {
    const response = await platform.request('GET', '/v1/batches/B-1/trace?maxDepth=abc', {
      key: plant,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^maxDepth: /),
    });
  });
});

describe('rules the handlers keep, stated in the document', () => {
  type Json = Record<string, unknown>;
  const operation = (path: string, method: string) =>
    doc.paths[path]?.[method] as unknown as {
      parameters: Array<{ name: string; schema: Json }>;
      responses: Record<string, { content?: Record<string, unknown> }>;
      requestBody?: { content: Record<string, { schema: Json }> };
    };
  const parameter = (path: string, method: string, name: string) =>
    operation(path, method).parameters.find((p) => p.name === name)?.schema;

  it('answers the public check’s bad and unknown codes with a page too', () => {
    for (const path of ['/t/{code}', '/01/{gtin}/10/{lot}', '/01/{gtin}/21/{serial}']) {
      const { responses } = operation(path, 'get');
      for (const status of path === '/t/{code}' ? ['404'] : ['400', '404']) {
        expect(Object.keys(responses[status]?.content ?? {}), `${path} ${status}`).toEqual(
          expect.arrayContaining(['application/json', 'text/html']),
        );
      }
    }
    expect(parameter('/01/{gtin}/10/{lot}', 'get', 'gtin')?.pattern).toBe('^(\\d{8}|\\d{12,14})$');
    expect(parameter('/01/{gtin}/21/{serial}', 'get', 'serial')?.pattern).toBe(
      '^[!"%-?A-Z_a-z]{1,20}$',
    );
  });

  it('states the EPCIS query parameters by the patterns the query is checked against', () => {
    for (const [name, { pattern }] of Object.entries(queryParameters())) {
      expect(parameter('/epcis/events', 'get', name), name).toEqual({ type: 'string', pattern });
    }
  });

  it('states what each warning state change requires, and the bounds of a consistency proof', () => {
    const body = operation('/v1/warnings/{warningId}/state', 'post').requestBody?.content[
      'application/json'
    ]?.schema as {
      oneOf: Array<{ properties: { status: { enum: string[] } }; required: string[] }>;
    };
    const required = Object.fromEntries(
      body.oneOf.flatMap((branch) =>
        branch.properties.status.enum.map((status) => [status, branch.required]),
      ),
    );
    expect(required).toEqual({
      open: ['status'],
      acknowledged: ['status'],
      dismissed: ['status', 'reason'],
      escalated: ['status', 'recallId'],
    });
    expect(parameter('/v1/checkpoints/consistency', 'get', 'from')).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1e15,
    });
  });
});
