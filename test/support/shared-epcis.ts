/**
 * The official GS1 EPCIS artefacts at `../shared/epcis` (read-only reference data beside the
 * repository; CI has it). Found from the repository root's parent upwards, so a git worktree
 * nested deeper finds the same directory. Conformance tests skip, saying why, where it is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';

function findSharedEpcis(): string | undefined {
  for (let dir = dirname(PROJECT_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'epcis');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export const SHARED_EPCIS_DIR = findSharedEpcis();

/** Why a conformance test cannot run here, or undefined when it can. */
export const SHARED_EPCIS_ABSENT = SHARED_EPCIS_DIR
  ? undefined
  : `no ../shared/epcis beside ${PROJECT_ROOT}: the official GS1 artefacts are not on this machine`;

if (SHARED_EPCIS_ABSENT) console.warn(`conformance tests skipped: ${SHARED_EPCIS_ABSENT}`);

export function sharedFiles(subdir: string, suffix: string): string[] {
  if (!SHARED_EPCIS_DIR) return [];
  return readdirSync(join(SHARED_EPCIS_DIR, subdir))
    .filter((file) => file.endsWith(suffix))
    .sort();
}

export function readShared(subdir: string, file: string): string {
  return readFileSync(join(SHARED_EPCIS_DIR ?? '', subdir, file), 'utf8');
}
