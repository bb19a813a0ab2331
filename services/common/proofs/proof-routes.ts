/**
 * Tamper evidence (docs/proofs.md): the signed checkpoints with the keys that signed them,
 * consistency proofs between two sizes of a partition's tree, and one event's proof. Any party
 * reads the checkpoints (they name no event); an event's proof is its party's or a regulator's.
 * The trace API mounts the checkpoints; ingest, which answers /v1/events/…, an event's proof.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readsEverything } from '../access/party-directory.js';
import { checkpointsSchema, consistencyProofSchema, evidenceSchema } from '../api/proofs.js';
import { SuyuanError } from '../errors.js';
import {
  defineOperation,
  idParameter,
  integerParameter,
  mountOperation,
} from '../http/operations.js';
import type { EventLog } from '../log/event-log.js';
import { readCheckpoints, readSigningKeys } from './checkpoint-store.js';
import { evidenceFor } from './evidence.js';
import { consistencyProof, nodeKey, nodesRead } from './merkle.js';
import { readHead, readNodes } from './proof-store.js';
import type { Store } from '../store/store.js';
import { time } from '../api/scalars.js';

const MAX_CHECKPOINTS = 1000;
/** More leaves than a partition's tree will hold; a bound the document can state (2^53 cannot). */
const MAX_TREE_SIZE = 1e15;

export const listCheckpointsOperation = defineOperation({
  method: 'GET',
  url: '/v1/checkpoints',
  operationId: 'listCheckpoints',
  summary: 'Signed checkpoints of the event log’s Merkle trees, newest first, and the signing keys',
  tag: 'proofs',
  query: z.strictObject({
    limit: integerParameter(1, MAX_CHECKPOINTS).default(20),
    before: time.optional().meta({ description: 'Only checkpoints issued before this time' }),
  }),
  answers: { 200: { description: 'Checkpoints and keys', schema: checkpointsSchema } },
  errors: [400],
});

export const consistencyOperation = defineOperation({
  method: 'GET',
  url: '/v1/checkpoints/consistency',
  operationId: 'getConsistencyProof',
  summary: 'Proves a partition’s tree of `from` leaves is a prefix of its tree of `to` leaves',
  description:
    'A proof leads from a smaller tree to a larger one the partition has had: `from` greater ' +
    'than `to`, or `to` greater than the partition’s tree, answers 404.',
  tag: 'proofs',
  query: z.strictObject({
    partition: integerParameter(0, 1_000_000),
    from: integerParameter(1, MAX_TREE_SIZE),
    to: integerParameter(1, MAX_TREE_SIZE),
  }),
  answers: { 200: { description: 'The consistency proof', schema: consistencyProofSchema } },
  errors: [400, 404],
});

export const eventProofOperation = defineOperation({
  method: 'GET',
  url: '/v1/events/:eventId/proof',
  operationId: 'getEventProof',
  summary: 'An event’s record, its audit path and the signed checkpoint it verifies against',
  description:
    'Answers 503 `not_checkpointed` for an event no checkpoint covers yet (checkpoints are signed within SUYUAN_CHECKPOINT_INTERVAL_MS).',
  tag: 'proofs',
  params: z.strictObject({ eventId: idParameter }),
  answers: { 200: { description: 'The evidence for the event', schema: evidenceSchema } },
  errors: [403, 404],
});

export interface ProofRouteDeps {
  readonly store: Store;
  readonly log: EventLog;
}

export function registerCheckpointRoutes(app: FastifyInstance, deps: ProofRouteDeps): void {
  mountOperation(app, listCheckpointsOperation, async ({ query }) => {
    const [keys, checkpoints] = await Promise.all([
      readSigningKeys(deps.store),
      readCheckpoints(deps.store, query),
    ]);
    return { keys, checkpoints };
  });
  mountOperation(app, consistencyOperation, async ({ query: { partition, from, to } }) => {
    const head = await readHead(deps.store, partition);
    // A tree only grows: no proof leads from a larger tree to a smaller one.
    if (from > to)
      throw new SuyuanError('not_found', `from: no tree of ${from} leaves precedes ${to}`);
    if (!head || to > head.size) {
      throw new SuyuanError('not_found', `to: partition ${partition} has no tree of ${to} leaves`);
    }
    const nodes = await readNodes(
      deps.store,
      partition,
      nodesRead((s) => consistencyProof(from, to, s)),
    );
    const proof = consistencyProof(from, to, (node) => nodes.get(nodeKey(node)) ?? '');
    return { partition, fromSize: from, toSize: to, proof };
  });
}

export function registerEventProofRoute(app: FastifyInstance, deps: ProofRouteDeps): void {
  mountOperation(app, eventProofOperation, async ({ request, params: { eventId } }) => {
    const [owner] = await deps.store.query<{ party: string }>(
      'SELECT party FROM events FINAL WHERE event_id = {eventId:String}',
      { eventId },
    );
    if (!readsEverything(request.caller) && owner?.party !== request.caller.partyId) {
      // Names nothing: whether another party's event exists is not the caller's to learn.
      throw new SuyuanError(
        'forbidden',
        'eventId: your party may read the proofs of its own events',
      );
    }
    if (!owner) throw new SuyuanError('not_found', `eventId: no event ${eventId}`);
    return evidenceFor(deps, [eventId]);
  });
}
