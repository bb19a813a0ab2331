import { createHash } from 'node:crypto';

/**
 * A UUID (version-5 layout) derived from a name, so the same decision made twice — after a crash,
 * on replay, in a race — produces the same id and collapses into one record.
 */
export function stableUuid(name: string): string {
  const hex = createHash('sha1').update(`suyuan:${name}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
