/** GET /v1/warnings and POST /v1/warnings/{id}/state, mounted with their handlers. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { readsEverything } from '../../common/access/party-directory.js';
import type { WarningView } from '../../common/api/warnings.js';
import { SuyuanError } from '../../common/errors.js';
import { mountOperation } from '../../common/http/operations.js';
import { invalidInput } from '../../common/invalid-input.js';
import { LIVE_RECALLS } from '../../common/store/projection-rules.js';
import type { Store } from '../../common/store/store.js';
import type { WarningRule } from '../../common/warning-rules.js';
import { computeWarnings } from '../../common/warnings/compute-warnings.js';
import { findFailureRates } from './failure-rates.js';
import {
  changeWarningStateOperation,
  listFailureRatesOperation,
  listWarningsOperation,
  type WarningsQuery,
} from './warning-operations.js';

export interface WarningRouteDeps {
  readonly store: Store;
  readonly rules: readonly WarningRule[];
  /** The clock the windows slide by; the system clock by default. */
  readonly now?: () => Date;
}

const matches = (warning: WarningView, query: WarningsQuery): boolean =>
  (query.level === undefined || warning.level === query.level) &&
  (query.status === undefined || warning.status === query.status) &&
  (query.productId === undefined || warning.productId === query.productId) &&
  (query.partyId === undefined || warning.partyId === query.partyId);

export function registerWarningRoutes(app: FastifyInstance, deps: WarningRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  mountOperation(app, listWarningsOperation, async ({ request, query }) => {
    request.log.info({ caller: request.caller.partyId, ...query }, 'warnings read');
    const own = readsEverything(request.caller) ? {} : { partyId: request.caller.partyId };
    const warnings = await computeWarnings(deps.store, deps.rules, now());
    return warnings.filter((warning) => matches(warning, { ...query, ...own }));
  });
  mountOperation(app, listFailureRatesOperation, async ({ request, query }) => {
    request.log.info({ caller: request.caller.partyId, ...query }, 'failure rates read');
    const own = readsEverything(request.caller) ? {} : { partyId: request.caller.partyId };
    return findFailureRates(deps.store, { ...query, ...own }, now());
  });
  mountOperation(app, changeWarningStateOperation, async ({ request, params, body }) => {
    const warnings = await computeWarnings(deps.store, deps.rules, now());
    const warning = warnings.find((candidate) => candidate.warningId === params.warningId);
    if (!warning) throw new SuyuanError('not_found', `warning ${params.warningId} is not raised`);
    if (body.recallId !== undefined && !(await recallExists(deps.store, body.recallId))) {
      throw invalidInput([{ path: 'recallId', message: 'names no recall' }]);
    }
    const change = {
      status: body.status,
      reason: body.reason ?? null,
      recallId: body.recallId ?? null,
      by: request.caller.partyId,
      at: new Date(Math.max(now().getTime(), lastChangeMs(warning) + 1)).toISOString(),
    };
    await deps.store.insert('warning_states', [
      {
        warning_id: warning.warningId,
        change_id: randomUUID(),
        status: change.status,
        reason: change.reason,
        recall_id: change.recallId,
        changed_by: change.by,
        at: change.at,
      },
    ]);
    request.log.info({ caller: change.by, ...params, status: change.status }, 'warning state');
    return { ...warning, status: change.status, history: [...warning.history, change] };
  });
}

async function recallExists(store: Store, recallId: string): Promise<boolean> {
  const rows = await store.query<{ recallId: string }>(
    `SELECT recall_id AS recallId FROM (${LIVE_RECALLS}) WHERE recall_id = {recallId:String}`,
    { recallId },
  );
  return rows.length > 0;
}

/** Changes are ordered by time: a new one is never recorded before the last. */
const lastChangeMs = (warning: WarningView): number =>
  Date.parse(warning.history.at(-1)?.at ?? '1970-01-01T00:00:00Z');
