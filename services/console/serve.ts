/**
 * Serves the built web console (services/console, built by `npm run build` into dist/console) at
 * `/console/`. The pages are public; every API call they make carries the signed-in key. The
 * launchers mount it beside the API: the embedded platform on its one port, the gateway in
 * distributed mode.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PROJECT_ROOT } from '../common/project-paths.js';

export interface ConsoleOptions {
  /** The Vite build output: the directory holding the console's index.html. */
  readonly root: string;
}

const NOT_BUILT = {
  error: 'console_not_built',
  message: 'the web console is not built: run `npm run build`, then restart',
};

const BUILT_CONSOLE: ConsoleOptions = { root: join(PROJECT_ROOT, 'dist', 'console') };

export async function registerConsole(
  app: FastifyInstance,
  options: ConsoleOptions = BUILT_CONSOLE,
): Promise<void> {
  app.get('/console', { schema: { hide: true } }, (_request, reply) =>
    reply.redirect('/console/', 301),
  );
  if (!existsSync(join(options.root, 'index.html'))) {
    const notBuilt = (_request: unknown, reply: FastifyReply) => reply.code(503).send(NOT_BUILT);
    app.get('/console/', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: '/console/',
    index: 'index.html',
    // Hashed asset names change with every build; only index.html must never be stale.
    setHeaders: (response, path) => {
      response.header(
        'cache-control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
