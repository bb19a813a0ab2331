/** GET /v1/exports/fsma204, mounted with its handler. */
import type { FastifyInstance } from 'fastify';
import { readsEverything, type PartyDirectory } from '../../common/access/party-directory.js';
import type { FsmaRow } from '../../common/api/fsma204.js';
import { mountOperation } from '../../common/http/operations.js';
import type { Store } from '../../common/store/store.js';
import { exportFsma204Operation, XLSX_MEDIA_TYPE, type FsmaQuery } from '../operations.js';
import { fsmaCsv, fsmaXlsx } from './fsma-files.js';
import { findCtes, findInputs, findSites, type FsmaSelection } from './fsma-queries.js';
import { fsmaRows } from './fsma-rows.js';

export interface FsmaRouteDeps {
  readonly store: Store;
  readonly parties: PartyDirectory;
}

/** The export's rows: four reads of the projection, then pure assembly. */
export async function exportFsma204(
  deps: FsmaRouteDeps,
  selection: FsmaSelection,
): Promise<FsmaRow[]> {
  const ctes = await findCtes(deps.store, selection);
  const origins = ctes.filter((cte) => cte.kind === 'origin');
  const inputs = await findInputs(deps.store, origins);
  const eventIds = ctes.flatMap((cte) => [cte.eventId, cte.sourceEventId, cte.counterpartEventId]);
  const sites = await findSites(deps.store, eventIds.filter(Boolean));
  const partyIds = new Set(
    ctes.flatMap((cte) => [cte.actor, cte.producer, cte.fromParty, cte.toParty]),
  );
  partyIds.delete('');
  const found = await deps.parties.find([...partyIds]);
  const partyNames = new Map([...found].map(([id, party]) => [id, party.name]));
  return fsmaRows({ ctes, inputs, sites, partyNames });
}

export function registerFsmaRoutes(app: FastifyInstance, deps: FsmaRouteDeps): void {
  mountOperation(app, exportFsma204Operation, async ({ request, reply, query }) => {
    request.log.info({ caller: request.caller.partyId, ...query }, 'fsma 204 export');
    const party = readsEverything(request.caller) ? undefined : request.caller.partyId;
    const { format, ...selection } = query;
    const rows = await exportFsma204(deps, {
      ...selection,
      ...(party === undefined ? {} : { party }),
    });
    const name = fileName(query);
    if (format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(fsmaCsv(rows));
    }
    return reply
      .header('content-type', XLSX_MEDIA_TYPE)
      .header('content-disposition', `attachment; filename="${name}.xlsx"`)
      .send(await fsmaXlsx(rows));
  });
}

/** Only characters that are safe inside a quoted header parameter. */
function fileName(query: FsmaQuery): string {
  const parts = [
    query.productId ?? query.batchId ?? '',
    query.from?.slice(0, 10),
    query.to?.slice(0, 10),
  ];
  return `fsma204-${parts.filter(Boolean).join('-')}`.replace(/[^\w.-]/g, '_');
}
