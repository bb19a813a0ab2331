/** GET /v1/gaps, mounted with its handler. */
import type { FastifyInstance } from 'fastify';
import { readsEverything } from '../../common/access/party-directory.js';
import { mountOperation } from '../../common/http/operations.js';
import type { Store } from '../../common/store/store.js';
import { listGapsOperation } from '../operations.js';
import { findGaps, type GapRules } from './find-gaps.js';

export interface GapRouteDeps {
  readonly store: Store;
  readonly rules: GapRules;
  /** The clock unreceived shipments are judged by; the system clock by default. */
  readonly now?: () => Date;
}

export function registerGapRoutes(app: FastifyInstance, deps: GapRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  mountOperation(app, listGapsOperation, async ({ request, query }) => {
    request.log.info({ caller: request.caller.partyId, ...query }, 'gaps read');
    const party = readsEverything(request.caller) ? undefined : request.caller.partyId;
    return findGaps(deps.store, deps.rules, {
      ...query,
      now: now(),
      ...(party === undefined ? {} : { party }),
    });
  });
}
