import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartyDirectory } from '../../../services/common/access/party-directory.js';
import { installAuthentication } from '../../../services/common/http/authenticate.js';
import { registerConsole } from '../../../services/console/serve.js';

// No key is ever accepted: whatever answers below answers without one.
const noParties = { authenticate: () => Promise.resolve(undefined) } as unknown as PartyDirectory;

async function consoleApp(root: string) {
  const app = Fastify();
  installAuthentication(app, noParties);
  await registerConsole(app, { root });
  app.get('/v1/secret', () => ({ secret: true }));
  return app;
}

describe('the console route', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-console-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the built console without an API key, and redirects /console', async () => {
    const app = await consoleApp(dir);
    const page = await app.inject({ url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    const bare = await app.inject({ url: '/console' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
    // The API beside it still asks for a key (this bare app has no error handler to map it to 401).
    const api = await app.inject({ url: '/v1/secret' });
    expect(api.statusCode).not.toBe(200);
    expect(api.body).toContain('authorization');
    await app.close();
  });

  it('answers 503 naming `npm run build` when the console is not built', async () => {
    const app = await consoleApp(join(dir, 'missing'));
    const page = await app.inject({ url: '/console/' });
    expect(page.statusCode).toBe(503);
    expect(page.json()).toMatchObject({ message: expect.stringContaining('npm run build') });
    expect((await app.inject({ url: '/console/assets/app.js' })).statusCode).toBe(503);
    await app.close();
  });
});
