/**
 * The public trace-code check (扫码查询): a code resolved to a batch, the batch's public view,
 * the check counted, and the answer as a page or as JSON. Unknown codes and codes of which nothing
 * is public get the same 404 (same status, same body for the same route) after the same reads:
 * the check is no way to learn which batches exist.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { PublicCheck } from '../../common/api/public-check.js';
import { DL_HOST } from '../../common/epcis/gs1-key.js';
import { gtin14 } from '../../common/epcis/check-digits.js';
import { parseDigitalLink } from '../../common/epcis/digital-link.js';
import { SuyuanError } from '../../common/errors.js';
import { mountOperation } from '../../common/http/operations.js';
import { invalidField } from '../../common/invalid-input.js';
import type { BatchRow } from '../../common/trace/trace-reads.js';
import type { CheckCounter } from './check-counts.js';
import { languageOf, wantsJson } from './negotiate.js';
import {
  checkCodeOperation,
  checkItemOperation,
  checkLotOperation,
  listSuspiciousCodesOperation,
} from './operations.js';
import { checkPage, invalidCodePage, unknownCodePage } from './public-page.js';
import { publicView, type PublicViewDeps } from './public-view.js';

export interface PublicRouteDeps extends PublicViewDeps {
  readonly counter: CheckCounter;
}

/** A batch id a code may name, and what its production must be for the code to name it. */
interface Candidate {
  readonly batchId: string;
  readonly accepts?: (production: BatchRow) => boolean;
}

const NOTHING_PUBLIC = 'code: nothing public is recorded under this code';

export function registerPublicRoutes(app: FastifyInstance, deps: PublicRouteDeps): void {
  mountOperation(app, checkCodeOperation, ({ request, reply, params }) =>
    answer(deps, request, reply, params.code, () => [{ batchId: params.code }]),
  );
  mountOperation(app, checkLotOperation, ({ request, reply, params }) =>
    answer(deps, request, reply, digitalLinkPath(request), () => {
      const gtin = validGtin(params.gtin);
      return [
        { batchId: digitalLinkBatchId(request, 'lot') },
        // A native batch: its id is the lot, its product id the GTIN (in any of its lengths).
        { batchId: params.lot, accepts: (production) => gtin14(production.productId) === gtin },
      ];
    }),
  );
  mountOperation(app, checkItemOperation, ({ request, reply, params }) =>
    answer(deps, request, reply, digitalLinkPath(request), () => {
      validGtin(params.gtin);
      return [{ batchId: digitalLinkBatchId(request, 'serial') }];
    }),
  );
  mountOperation(app, listSuspiciousCodesOperation, ({ query }) =>
    deps.counter.suspicious(query.limit),
  );
}

async function answer(
  deps: PublicRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  code: string,
  candidatesOf: () => Candidate[],
): Promise<unknown> {
  const lang = languageOf(request.headers['accept-language']);
  const json = wantsJson(request.headers.accept);
  // The counts change with every check, and the answer depends on both headers.
  void reply.header('cache-control', 'no-store').header('vary', 'Accept, Accept-Language');
  let candidates: Candidate[];
  try {
    candidates = candidatesOf();
  } catch (error) {
    if (json || !(error instanceof SuyuanError)) throw error;
    return html(reply.status(400), invalidCodePage(lang, code, error.message));
  }
  const { batchId, production } = await resolve(deps, candidates);
  const view = await publicView(deps, batchId, production, lang);
  if (!view) {
    // A known batch is counted even when nothing of it is public (regulators see copied codes),
    // after the answer, so that it costs the answer nothing an unknown code's does not; made-up
    // codes are not counted, so a flood of them fills nothing.
    if (production) setImmediate(() => void deps.counter.record(batchId, request.ip));
    if (json) throw new SuyuanError('not_found', NOTHING_PUBLIC);
    return html(reply.status(404), unknownCodePage(lang, code));
  }
  const checks = await deps.counter.record(batchId, request.ip);
  const check: PublicCheck = {
    code,
    lang,
    ...view,
    checks: { count: checks.count, firstCheckedAt: checks.firstCheckedAt },
  };
  if (json) return check;
  return html(reply, checkPage(check));
}

const html = (reply: FastifyReply, page: string) =>
  reply.type('text/html; charset=utf-8').send(page);

/** The first candidate whose production it accepts; else the first, which a recall may name. */
async function resolve(deps: PublicRouteDeps, candidates: readonly Candidate[]) {
  const rows = await deps.reads.batches(candidates.map((candidate) => candidate.batchId));
  for (const candidate of candidates) {
    const production = rows.find((row) => row.batchId === candidate.batchId);
    if (production && (candidate.accepts?.(production) ?? true)) {
      return { batchId: candidate.batchId, production };
    }
  }
  return { batchId: candidates[0]?.batchId ?? '', production: undefined };
}

function validGtin(text: string): string {
  const gtin = gtin14(text);
  if (!gtin) throw invalidField('gtin', 'must be a GTIN-8, -12, -13 or -14 with its check digit');
  return gtin;
}

/** The request's path as sent (still percent-encoded), without the query. */
const digitalLinkPath = (request: FastifyRequest) => (request.raw.url ?? '').split('?')[0] ?? '';

/**
 * The canonical Digital Link of the requested lot or item: the batch id EPCIS capture gave it
 * (https://id.gs1.org/01/{GTIN-14}/10/{lot}), read by the same parser.
 */
function digitalLinkBatchId(request: FastifyRequest, field: 'lot' | 'serial'): string {
  const key = parseDigitalLink(`${DL_HOST}${digitalLinkPath(request)}`);
  if (!key) throw invalidField(field, `must be 1 to 20 characters of GS1's character set 82`);
  return key.canonical;
}
