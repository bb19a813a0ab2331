import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PartyDirectory } from '../access/party-directory.js';
import type { Logger } from '../logger.js';
import { installAuthentication } from './authenticate.js';
import { installErrorHandler } from './error-handler.js';

/** A dependency `/readyz` checks: the log, the store. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
}

export interface HttpAppDeps {
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly parties: PartyDirectory;
  readonly readiness: readonly ReadinessCheck[];
}

/**
 * The Fastify instance every service starts from: one error handler, API-key authentication,
 * the health and readiness probes. Services add their routes; the launcher listens.
 */
export function createHttpApp(deps: HttpAppDeps): FastifyInstance {
  // Typed as Fastify's logger so the instance is the plain FastifyInstance that routes take.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: deps.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request done',
    );
  });
  installErrorHandler(app);
  installAuthentication(app, deps.parties);
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      deps.readiness.map(async ({ name, check }) => {
        try {
          await check();
          return { name, ok: true };
        } catch (err) {
          return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const ready = results.every((result) => result.ok);
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
  return app;
}
