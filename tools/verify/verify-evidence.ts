/**
 * Verifies evidence offline (docs/proofs.md), in this order, and stops at the first failure,
 * naming the event:
 *
 *   1. the checkpoint is signed by a key it names — one the verifier trusts when keys are pinned;
 *   2. for each event: its record's bytes hash to a leaf the audit path proves under the root
 *      the checkpoint signed for its partition (else the log's record was altered, or the proof
 *      is not of this checkpoint);
 *   3. the event as the store holds it is exactly what those bytes decode to (else the store's
 *      copy was altered: what answers and reports are made of no longer matches the log).
 */
import type { EvidenceAnswer } from '../../services/common/api/proofs.js';
import type { EventCodec } from '../../services/common/events/codec.js';
import { canonicalJson } from '../../services/common/events/fingerprint.js';
import {
  checkpointSignedBy,
  type PublicSigningKey,
} from '../../services/common/proofs/checkpoint.js';
import { leafHash, verifyInclusion } from '../../services/common/proofs/merkle.js';

export interface Failure {
  /** The event that does not match; undefined when the checkpoint itself fails. */
  readonly eventId?: string;
  readonly reason: string;
}

export type Verdict =
  | {
      readonly ok: true;
      readonly events: number;
      readonly checkpoint: EvidenceAnswer['checkpoint'];
    }
  | { readonly ok: false; readonly failure: Failure };

export interface VerifyOptions {
  readonly codec: EventCodec;
  /**
   * Keys the verifier trusts (pinned from an earlier GET /v1/checkpoints, or handed over by the
   * platform's operator). Without them the keys the evidence carries are taken at their word,
   * which proves integrity against the platform's own statement only.
   */
  readonly trustedKeys?: readonly PublicSigningKey[];
}

export function verifyEvidence(evidence: EvidenceAnswer, options: VerifyOptions): Verdict {
  const keys = options.trustedKeys ?? evidence.keys;
  const { checkpoint } = evidence;
  if (!checkpointSignedBy(checkpoint, keys)) {
    return fail(
      undefined,
      `the checkpoint of ${checkpoint.body.issuedAt} is not signed by ${
        options.trustedKeys ? 'a trusted key' : 'a key the evidence carries'
      } (key id ${checkpoint.body.keyId})`,
    );
  }
  for (const proof of evidence.proofs) {
    const where = `partition ${proof.partition}, offset ${proof.offset}`;
    const tree = checkpoint.body.trees.find((candidate) => candidate.partition === proof.partition);
    if (!tree)
      return fail(proof.eventId, `the checkpoint has no tree for partition ${proof.partition}`);
    const bytes = Buffer.from(proof.record, 'base64');
    const leaf = leafHash(bytes);
    if (!verifyInclusion(leaf, proof.leafIndex, tree.size, proof.auditPath, tree.rootHash)) {
      return fail(
        proof.eventId,
        `its log record (${where}) is not the one the checkpoint signed: the record was altered after it was signed`,
      );
    }
    let decoded: Record<string, unknown>;
    try {
      decoded = options.codec.decode(bytes) as unknown as Record<string, unknown>;
    } catch (error) {
      return fail(
        proof.eventId,
        `its signed log record (${where}) does not decode: ${String(error)}`,
      );
    }
    if (decoded.eventId !== proof.eventId) {
      return fail(
        proof.eventId,
        `its signed log record (${where}) is event ${String(decoded.eventId)}`,
      );
    }
    if (proof.event === null) {
      return fail(proof.eventId, 'the store holds no copy of it');
    }
    const differs = firstDifference(decoded, proof.event);
    if (differs !== undefined) {
      return fail(
        proof.eventId,
        `the store's copy differs from the signed log record (${where}) at ${differs}: the store was altered`,
      );
    }
  }
  return { ok: true, events: evidence.proofs.length, checkpoint };
}

const fail = (eventId: string | undefined, reason: string): Verdict => ({
  ok: false,
  failure: { eventId, reason },
});

/** The path of the first field where two JSON values differ, or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (canonicalJson(a) === canonicalJson(b)) return undefined;
  const isObject = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === 'object';
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const inner = firstDifference(
        a[key],
        b[key],
        Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      );
      if (inner !== undefined) return inner;
    }
  }
  return path || '(the whole event)';
}
