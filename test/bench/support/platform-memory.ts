/**
 * The platform's resident memory, split as the kernel counts it: anonymous pages (the heap, chDB's
 * allocations: what the process needs) and file-backed pages (the memory-mapped serving index and
 * store files, page cache the kernel takes back under pressure).
 */
import { readFile } from 'node:fs/promises';
import type { PlatformProcess } from '../../support/platform-process.js';

export async function residentMegabytes(
  platform: PlatformProcess,
): Promise<{ total: number; anonymous: number; fileBacked: number }> {
  const status = await readFile(`/proc/${platform.child.pid}/status`, 'utf8');
  const megabytes = (field: string) =>
    Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024);
  return {
    total: megabytes('VmRSS'),
    anonymous: megabytes('RssAnon'),
    fileBacked: megabytes('RssFile'),
  };
}
