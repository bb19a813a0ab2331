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

/** Resolves `Authorization: Bearer <api key>` to a party on every non-public route. */
export function installAuthentication(app: FastifyInstance, parties: PartyDirectory): void {
  app.decorateRequest('caller', undefined as unknown as Party);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const route = request.routeOptions.url;
    if (route === undefined || isPublic(route)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new SuyuanError(
        'unauthorized',
        'authorization: send "Authorization: Bearer <api key>"',
      );
    }
    const party = await parties.authenticate(match[1]);
    if (!party) throw new SuyuanError('unauthorized', 'authorization: unknown or revoked API key');
    request.caller = party;
  });
}

export function requireRole(request: FastifyRequest, ...roles: Role[]): void {
  if (!roles.some((role) => request.caller.roles.includes(role))) {
    throw new SuyuanError('forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
  }
}
