/**
 * Tamper evidence (docs/proofs.md): signed checkpoints, the keys that sign them, and the evidence
 * for events (one event's proof, or an export's bundle). The verifier reads the same shapes.
 */
import { z } from 'zod';
import { time } from './scalars.js';

const hash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .meta({ description: 'SHA-256, lowercase hex' });

export const signingKeySchema = z
  .strictObject({
    keyId: z.string().meta({ description: 'First 16 hex digits of SHA-256 of the raw key' }),
    algorithm: z.literal('Ed25519'),
    publicKey: z.string().meta({ description: 'Base64 of the raw 32-byte Ed25519 public key' }),
    firstUsedAt: time,
  })
  .meta({ id: 'SigningKey' });

export const checkpointSchema = z
  .strictObject({
    body: z.strictObject({
      origin: z.literal('suyuan/checkpoint/v1'),
      log: z.string().meta({ description: 'The topic the trees are of, as the log names it' }),
      issuedAt: time,
      keyId: z.string(),
      trees: z.array(
        z.strictObject({
          partition: z.number().int(),
          size: z.number().int().meta({ description: 'Leaves: the partition’s first records' }),
          rootHash: hash,
        }),
      ),
    }),
    signature: z.string().meta({
      description: 'Base64 Ed25519 signature of the body as canonical JSON (keys sorted, UTF-8)',
    }),
  })
  .meta({ id: 'Checkpoint' });

export const checkpointsSchema = z
  .strictObject({
    keys: z
      .array(signingKeySchema)
      .meta({ description: 'Every key that ever signed, rotated ones too' }),
    checkpoints: z.array(checkpointSchema).meta({ description: 'Newest first' }),
  })
  .meta({ id: 'Checkpoints' });

export const consistencyProofSchema = z
  .strictObject({
    partition: z.number().int(),
    fromSize: z.number().int(),
    toSize: z.number().int(),
    proof: z.array(hash).meta({ description: 'RFC 9162 §2.1.4 consistency proof' }),
  })
  .meta({ id: 'ConsistencyProof' });

export const eventProofSchema = z
  .strictObject({
    eventId: z.string(),
    partition: z.number().int(),
    offset: z.number().int(),
    leafIndex: z.number().int(),
    record: z.string().meta({
      description: 'Base64 of the log record’s value (Confluent wire format): the leaf’s bytes',
    }),
    event: z.record(z.string(), z.unknown()).nullable().meta({
      description: 'The event as the store holds it; must equal what `record` decodes to',
    }),
    auditPath: z.array(hash).meta({ description: 'RFC 9162 §2.1.3 inclusion proof' }),
  })
  .meta({ id: 'EventProof' });

export const evidenceSchema = z
  .strictObject({
    format: z.literal('suyuan-evidence/1'),
    checkpoint: checkpointSchema,
    keys: z.array(signingKeySchema),
    proofs: z.array(eventProofSchema),
  })
  .meta({ id: 'Evidence' });

/** `evidence=true` on an export (a recall report, a trace): it carries its events' evidence. */
export const evidenceFlag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true')
  .meta({
    description:
      'true (regulators, JSON only): the answer carries `evidence`, the signed proofs of the events it rests on, for `npx suyuan verify` (docs/proofs.md)',
  });

export type CheckpointsAnswer = z.infer<typeof checkpointsSchema>;
export type EvidenceAnswer = z.infer<typeof evidenceSchema>;
