import { createHash } from 'node:crypto';
import type { SuyuanEvent } from './event-types.generated.js';

/** JSON with object keys sorted at every level, so equal events always serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What makes two submissions of one eventId "the same event": everything but `recordedAt`,
 * which ingest stamps on each attempt.
 */
export function fingerprintEvent(event: SuyuanEvent): string {
  const { recordedAt: _recordedAt, ...rest } = event;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
