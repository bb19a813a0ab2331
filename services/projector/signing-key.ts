/**
 * The platform's checkpoint signing key: an Ed25519 private key in a PKCS#8 PEM file
 * (SUYUAN_SIGNING_KEY_FILE). At first start none exists, and one is generated there, readable by
 * its owner only. Rotation is a new file: the old key's public half stays published in the store
 * (checkpoint-store.ts), so its checkpoints still verify (docs/proofs.md).
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SuyuanError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { keyIdOf, privateKeyFromPem, rawPublicKey } from '../common/proofs/checkpoint.js';

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** Base64 of the raw 32-byte public key. */
  readonly publicKey: string;
}

export async function loadSigningKey(path: string, logger: Logger): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw keyError(path, error);
    pem = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Written whole to a file of its own, then linked into place: a link is atomic and never
    // replaces, so of processes starting at once one key wins, and none reads it half written.
    const draft = `${path}.${randomUUID()}.tmp`;
    await writeFile(draft, pem, { mode: 0o600, flag: 'wx' }).catch((cause: unknown) => {
      throw keyError(path, cause);
    });
    try {
      await link(draft, path);
      logger.info({ path }, 'generated the checkpoint signing key');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(path, cause);
      pem = await readFile(path, 'utf8');
    } finally {
      await unlink(draft).catch(() => undefined);
    }
  }
  try {
    const privateKey = privateKeyFromPem(pem);
    const raw = rawPublicKey(privateKey);
    return { keyId: keyIdOf(raw), privateKey, publicKey: raw.toString('base64') };
  } catch (cause) {
    throw keyError(path, cause);
  }
}

const keyError = (path: string, cause: unknown) =>
  new SuyuanError(
    'config_invalid',
    `SUYUAN_SIGNING_KEY_FILE: ${path} is not a readable Ed25519 private key in PKCS#8 PEM`,
    { cause },
  );
