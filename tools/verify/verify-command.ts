/**
 * `suyuan verify <export.json>` (main.ts runs it): verifies an export offline against the signed checkpoint and
 * proofs it carries (docs/proofs.md) — a recall report, a trace or an EPCIS query document fetched
 * with `?evidence=true`, or an event's proof — and exits 1 naming the first event that does not match. `--keys <file>` pins
 * the platform's public keys (the `keys` of an earlier GET /v1/checkpoints, or that answer whole):
 * without it the keys the export carries are taken at their word, and the command says so.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { PublicSigningKey } from '../../services/common/proofs/checkpoint.js';
import { createEventCodec } from '../../services/common/events/codec.js';
import { exportOf, unbackedClaim } from './exports.js';
import { verifyEvidence } from './verify-evidence.js';

const USAGE = `usage: npx suyuan verify <export.json> [--keys <keys.json>]

  <export.json>   a recall report (GET /v1/recalls/{id}/report?evidence=true), a trace
                  (GET /v1/batches/{id}/trace?evidence=true), an EPCIS export
                  (GET /epcis/events?evidence=true) or an event's proof (GET /v1/events/{id}/proof)
  --keys <file>   the platform's public keys to trust: GET /v1/checkpoints's answer, or its keys
exit status: 0 verified, 1 a record does not match (the first is named), 2 a wrong command line`;

class UsageError extends Error {}

export interface Outcome {
  readonly code: 0 | 1 | 2;
  readonly lines: readonly string[];
}

export async function runVerify(argv: readonly string[]): Promise<Outcome> {
  let file: string;
  let keysFile: string | undefined;
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { keys: { type: 'string' } },
    });
    if (positionals[0] !== 'verify' || positionals.length !== 2) throw new UsageError(USAGE);
    file = positionals[1] ?? '';
    keysFile = values.keys;
  } catch (error) {
    return {
      code: 2,
      lines: [error instanceof UsageError ? error.message : `${String(error)}\n${USAGE}`],
    };
  }
  const exported = exportOf(JSON.parse(await readFile(file, 'utf8')) as unknown);
  if (!exported) {
    return { code: 2, lines: [`${file} carries no evidence (fetch a report with ?evidence=true)`] };
  }
  const trustedKeys = keysFile ? await readKeys(keysFile) : undefined;
  const verdict = verifyEvidence(exported.evidence, { codec: createEventCodec(), trustedKeys });
  if (!verdict.ok) {
    const { eventId, reason } = verdict.failure;
    return { code: 1, lines: [`FAILED ${eventId ? `event ${eventId}: ` : ''}${reason}`] };
  }
  const claim = unbackedClaim(exported);
  if (claim) {
    return {
      code: 1,
      lines: [`FAILED ${claim.eventId ? `event ${claim.eventId}: ` : ''}${claim.reason}`],
    };
  }
  const { body } = verdict.checkpoint;
  return {
    code: 0,
    lines: [
      `verified ${exported.kind}: ${verdict.events} events against the checkpoint of ${body.issuedAt} (key ${body.keyId}, ${body.trees
        .map((tree) => `partition ${tree.partition}: ${tree.size} records`)
        .join(', ')})`,
      ...(trustedKeys
        ? []
        : ['note: the signing key was taken from the export; pin the platform’s keys with --keys']),
    ],
  };
}

async function readKeys(file: string): Promise<PublicSigningKey[]> {
  const document = JSON.parse(await readFile(file, 'utf8')) as unknown;
  if (Array.isArray(document)) return document as PublicSigningKey[];
  return (document as { keys: PublicSigningKey[] }).keys;
}
