import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Party, PartyDirectory, Role } from '../access/party-directory.js';
import { SuyuanError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated party; set for every route but the public probes. */
    caller: Party;
  }
}

const PUBLIC_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);
/** Path prefixes served without a key: Swagger UI (`/docs`), the web console (`/console`). */
const PUBLIC_PREFIXES = ['/docs', '/console'];
const isPublic = (route: string) =>
  PUBLIC_ROUTES.has(route) ||
  PUBLIC_PREFIXES.some((prefix) => route === prefix || route.startsWith(`${prefix}/`));

/**
 * The API key in `Authorization: Bearer <api key>`, however the scheme is cased and spaced: the
 * one reading of the header, so that authentication and the rate limit agree on whose key it is.
 */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

/** Whether a request goes through authentication: a routed, non-public route. */
export function requiresKey(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && !isPublic(route) && request.routeOptions.config.public !== true;
}

/** Resolves `Authorization: Bearer <api key>` to a party on every non-public route. */
export function installAuthentication(app: FastifyInstance, parties: PartyDirectory): void {
  app.decorateRequest('caller', undefined as unknown as Party);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!requiresKey(request)) return;
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      throw new SuyuanError(
        'unauthorized',
        'authorization: send "Authorization: Bearer <api key>"',
      );
    }
    const party = await parties.authenticate(token);
    if (!party) throw new SuyuanError('unauthorized', 'authorization: unknown or revoked API key');
    request.caller = party;
  });
}

export function requireRole(request: FastifyRequest, ...roles: Role[]): void {
  if (!roles.some((role) => request.caller.roles.includes(role))) {
    throw new SuyuanError('forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
  }
}
