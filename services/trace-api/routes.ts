/**
 * The read side for regulators and parties: a batch with its timeline, and its trace chain
 * (DESIGN §6). Authentication is installed by the app; these routes assume `request.caller`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readsEverything, type PartyDirectory } from '../common/access/party-directory.js';
import type { BatchDetail, TimelineEntry, TraceDirection } from '../common/api/trace.js';
import { SuyuanError } from '../common/errors.js';
import { mountOperation } from '../common/http/operations.js';
import { evidenceFor, type EvidenceDeps } from '../common/proofs/evidence.js';
import {
  derivationEdges,
  readsForOneWalk,
  type TimelineRow,
  type TraceReads,
} from '../common/trace/trace-reads.js';
import { walkTrace } from '../common/trace/walk.js';
import {
  assembleTrace,
  batchFlagger,
  batchView,
  nameParties,
  type AssembledTrace,
  type TraceLimits,
  type TraceRows,
} from './assemble-trace.js';
import { chooseEncoding, createAnswerEncoder, type AnswerEncoder } from './answer-encodings.js';
import { traceEventIds, withUnresolvedLinks } from './epcis/unresolved-links.js';
import { getBatchOperation, getTraceOperation } from './operations.js';
import { redactTrace } from './redact-trace.js';
import type { TraceCache } from './trace-cache.js';

export interface TraceRouteDeps {
  readonly reads: TraceReads;
  readonly parties: PartyDirectory;
  /** The defaults and the ceilings of `maxDepth` and `maxNodes`. */
  readonly limits: TraceLimits;
  /** Where a trace's evidence comes from (docs/proofs.md); without it, none is given. */
  readonly evidence?: EvidenceDeps;
  /** Regulators' answers kept until a write changes them (trace-cache.ts); none without it. */
  readonly cache?: TraceCache;
}

export interface TraceRequest {
  readonly direction: TraceDirection;
  readonly maxDepth: number;
  readonly maxNodes: number;
}

export function registerTraceRoutes(app: FastifyInstance, deps: TraceRouteDeps): void {
  const encoder = createAnswerEncoder();
  mountOperation(app, getBatchOperation, async ({ request, params: { batchId } }) => {
    request.log.info({ caller: request.caller.partyId, batchId }, 'batch read');
    if (readsEverything(request.caller)) return loadBatch(deps.reads, batchId);
    if (!(await withinReach(deps, batchId, request.caller.partyId))) throw outOfScope();
    return redactTimeline(await loadBatch(deps.reads, batchId), request.caller.partyId);
  });
  mountOperation(app, getTraceOperation(deps.limits), async ({ request, reply, params, query }) => {
    const { batchId } = params;
    // DESIGN §5: every regulator query is logged with who asked.
    request.log.info({ caller: request.caller.partyId, batchId, ...query }, 'trace read');
    const everything = readsEverything(request.caller);
    if (everything && !query.evidence)
      return json(request, reply, encoder, await regulatorTrace(deps, batchId, query));
    if (!(await deps.reads.batchIsKnown(batchId))) {
      // To anyone but a regulator an unknown batch looks like any batch out of reach.
      throw everything ? notFound(batchId) : outOfScope();
    }
    if (query.evidence && !everything) {
      throw new SuyuanError('forbidden', 'evidence: only a regulator may ask for the evidence');
    }
    // A party out of reach is refused on the trace one step around the batch, before the whole
    // trace is built: a burst of refusals would otherwise cost what whole traces cost.
    if (!everything && !(await withinReach(deps, batchId, request.caller.partyId)))
      throw outOfScope();
    const reads = readsForOneWalk(deps.reads);
    const trace = await loadTrace({ ...deps, reads }, batchId, query);
    if (everything && query.evidence && deps.evidence) {
      const evidence = await evidenceFor(deps.evidence, traceEventIds(trace));
      const view = await withUnresolvedLinks({ ...trace, redacted: false }, reads);
      return { ...view, evidence };
    }
    const view = everything
      ? { ...trace, redacted: false }
      : redactTrace(trace, request.caller.partyId);
    if (!view) throw outOfScope();
    // Links of what the caller sees only: the events of its view say which EPCIS events count.
    return withUnresolvedLinks(view, reads);
  });
}

/**
 * A regulator's whole trace, serialised. It is the same for every regulator, so it is kept
 * (trace-cache.ts) until a write changes it.
 */
export async function regulatorTrace(
  deps: Pick<TraceRouteDeps, 'reads' | 'parties' | 'cache'>,
  batchId: string,
  request: TraceRequest,
): Promise<Buffer> {
  const build = async () => {
    if (!(await deps.reads.batchIsKnown(batchId))) throw notFound(batchId);
    const reads = readsForOneWalk(deps.reads);
    const trace = await loadTrace({ ...deps, reads }, batchId, request);
    const view = await withUnresolvedLinks({ ...trace, redacted: false }, reads);
    return {
      answer: Buffer.from(JSON.stringify(view)),
      batchIds: trace.batches.map((batch) => batch.batchId),
    };
  };
  if (!deps.cache) return (await build()).answer;
  const key = [batchId, request.direction, request.maxDepth, request.maxNodes].join('\u0000');
  return deps.cache.answer(key, build);
}

/**
 * Whether a party that is not a regulator may read a batch at all. The one-up-one-down rule decides
 * it on the facts of the batch and its neighbours, so the trace one step either way decides as the
 * whole trace would: a neighbour the whole trace lists, this one lists too.
 */
async function withinReach(deps: TraceRouteDeps, batchId: string, partyId: string) {
  if (!(await deps.reads.batchIsKnown(batchId))) return false;
  const around = await loadTrace(deps, batchId, {
    direction: 'both',
    maxDepth: 1,
    maxNodes: deps.limits.maxNodes,
  });
  return redactTrace(around, partyId) !== undefined;
}

/**
 * An answer already serialised: sent as the serializer would have written it, compressed when
 * the client accepts it (answer-encodings.ts).
 */
async function json(
  request: FastifyRequest,
  reply: FastifyReply,
  encoder: AnswerEncoder,
  answer: Buffer,
): Promise<Buffer> {
  void reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
  const encoding = chooseEncoding(request.headers['accept-encoding'], answer.length);
  if (!encoding) return answer;
  const encoded = await encoder.encode(answer, encoding);
  void reply.header('content-encoding', encoding);
  return encoded;
}

/** Names nothing: the caller may not learn whether the batch exists or who handled it. */
const outOfScope = () =>
  new SuyuanError(
    'forbidden',
    'batchId: your party may read only batches it handled and those one step up or down from them',
  );

/** A party's view of a batch's timeline: its own events, and those naming it or making the batch. */
function redactTimeline(batch: BatchDetail, partyId: string): BatchDetail & { redacted: boolean } {
  const timeline = batch.timeline.filter(
    (entry) =>
      entry.party === partyId ||
      entry.eventType === 'BatchProduced' ||
      entry.data.to === partyId ||
      entry.data.from === partyId ||
      entry.data.recipient === partyId,
  );
  return { ...batch, timeline, redacted: timeline.length < batch.timeline.length };
}

const notFound = (batchId: string) =>
  new SuyuanError('not_found', `batchId: no events name batch ${batchId}`);

export async function loadTrace(
  deps: Pick<TraceRouteDeps, 'reads' | 'parties'>,
  root: string,
  request: TraceRequest,
): Promise<AssembledTrace> {
  const { reads } = deps;
  const walk = await walkTrace({
    root,
    ...request,
    neighbours: (direction, frontier) => derivationEdges(reads, direction, frontier),
  });
  const ids = [...walk.depthOf.keys()];
  const [batches, shipments, receipts, inspections, recalledBatchIds] = await Promise.all([
    reads.batches(ids),
    reads.shipments(ids),
    reads.receipts(ids),
    reads.inspections(ids),
    reads.recalledBatchIds(ids),
  ]);
  const derivations = walk.edges.map((edge) => edge.derivation);
  const rows: TraceRows = {
    batches,
    derivations,
    shipments,
    receipts,
    inspections,
    recalledBatchIds,
  };
  const trace = assembleTrace({
    root,
    direction: request.direction,
    limits: { maxDepth: request.maxDepth, maxNodes: request.maxNodes },
    depthOf: walk.depthOf,
    truncated: walk.truncated,
    rows,
  });
  const parties = await deps.parties.find(trace.parties.map((party) => party.partyId));
  return nameParties(trace, new Map([...parties].map(([id, party]) => [id, party.name])));
}

export async function loadBatch(reads: TraceReads, batchId: string): Promise<BatchDetail> {
  const timeline = await reads.timeline(batchId);
  if (timeline.length === 0) throw notFound(batchId);
  const [batches, inspections, recalledBatchIds] = await Promise.all([
    reads.batches([batchId]),
    reads.inspections([batchId]),
    reads.recalledBatchIds([batchId]),
  ]);
  const flags = batchFlagger({ inspections, recalledBatchIds })(batchId);
  return { ...batchView(batchId, batches[0], flags), timeline: timeline.map(timelineEntry) };
}

const ENVELOPE = [
  'eventId',
  'eventType',
  'eventTime',
  'recordedAt',
  'party',
  'operator',
  'location',
];

export function timelineEntry(row: TimelineRow): TimelineEntry {
  const event = parsePayload(row.payload);
  const hasLocation = row.locationGln ?? row.locationSiteId ?? row.locationName;
  return {
    eventId: row.eventId,
    eventType: row.eventType,
    eventTime: row.eventTime,
    recordedAt: row.recordedAt,
    party: row.party,
    operator: row.operator,
    location:
      hasLocation === null
        ? null
        : { gln: row.locationGln, siteId: row.locationSiteId, name: row.locationName },
    retracted: row.retracted,
    data: Object.fromEntries(Object.entries(event).filter(([key]) => !ENVELOPE.includes(key))),
  };
}

function parsePayload(payload: string | null): Record<string, unknown> {
  if (payload === null) return {};
  try {
    const parsed = JSON.parse(payload) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
