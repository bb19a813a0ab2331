/**
 * Reads every file under a directory once, so that its pages are in the page cache before a
 * platform opens it: the state of a platform that has run for a while, whose log, serving index
 * and store are in memory as far as memory allows. A graph copied just before is not: copying the
 * 13 GB of the 1M-batch graph reads the original as it writes the copy, and on this machine's
 * 24 GiB part of the copy is evicted again. Ingest on such a copy waits on disk for the pages of
 * the identity index and the serving index it touches (2026-12-06: single events 70–187 events/s
 * while warming up, then 631, where a copy read through first had measured 2 836).
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const CHUNK_BYTES = 8 * 1024 * 1024;

/** Reads the files under `dir`; returns how many bytes. `progress` hears of each gigabyte. */
export async function warmFiles(dir: string, progress: (line: string) => void): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let total = 0;
  let toldAt = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = await open(join(entry.parentPath, entry.name), 'r');
    try {
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total - toldAt >= 1024 ** 3) {
          toldAt = total;
          progress(`online: reading the copy into memory: ${(total / 1024 ** 3).toFixed(0)} GiB`);
        }
      }
    } finally {
      await file.close();
    }
  }
  return total;
}
