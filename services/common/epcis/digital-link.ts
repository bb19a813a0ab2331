/**
 * GS1 Digital Link URIs (GS1 Digital Link standard 1.2): a primary key and its qualifiers as
 * `/{AI}/{value}` pairs on any host, after any path prefix, with AI short names (`gtin`, `lot`, …)
 * accepted. Read into a GS1 key whose canonical form is on https://id.gs1.org, with GTINs padded
 * to 14 digits, the finest level of identification only and no query string.
 */
import { hasValidCheckDigit } from './check-digits.js';
import { gs1Key, type Gs1Key, type Gs1Kind } from './gs1-key.js';

const SHORT_NAMES: Record<string, string> = {
  gtin: '01',
  itip: '8006',
  cpid: '8010',
  gln: '414',
  party: '417',
  gsrnp: '8017',
  gsrn: '8018',
  gcn: '255',
  sscc: '00',
  gdti: '253',
  ginc: '401',
  gsin: '402',
  grai: '8003',
  giai: '8004',
  cpv: '22',
  lot: '10',
  ser: '21',
};

/** AI value syntax (GS1 General Specifications §3): the digits a key must have, and more. */
const PRIMARY: Record<
  string,
  { kind: Gs1Kind; syntax: RegExp; checked?: (value: string) => string }
> = {
  '01': { kind: 'gtin', syntax: /^(\d{8}|\d{12}|\d{13}|\d{14})$/, checked: (v) => v },
  '00': { kind: 'sscc', syntax: /^\d{18}$/, checked: (v) => v },
  '414': { kind: 'gln', syntax: /^\d{13}$/, checked: (v) => v },
  '417': { kind: 'pgln', syntax: /^\d{13}$/, checked: (v) => v },
  '8003': { kind: 'grai', syntax: /^\d{14}.{0,16}$/, checked: (v) => v.slice(0, 14) },
  '8004': { kind: 'giai', syntax: /^.{1,30}$/ },
  '8006': { kind: 'itip', syntax: /^\d{18}$/, checked: (v) => v.slice(0, 14) },
  '8010': { kind: 'cpi', syntax: /^[0-9A-Z#/-]{1,30}$/ },
  '8017': { kind: 'gsrnp', syntax: /^\d{18}$/, checked: (v) => v },
  '8018': { kind: 'gsrn', syntax: /^\d{18}$/, checked: (v) => v },
  '253': { kind: 'gdti', syntax: /^\d{13}.{0,17}$/, checked: (v) => v.slice(0, 13) },
  '255': { kind: 'sgcn', syntax: /^\d{13}\d{0,12}$/, checked: (v) => v.slice(0, 13) },
  '401': { kind: 'ginc', syntax: /^.{1,30}$/ },
  '402': { kind: 'gsin', syntax: /^\d{17}$/, checked: (v) => v },
};

/** Qualifiers each primary key may carry, and their value syntax. */
const QUALIFIERS: Record<string, Record<string, RegExp>> = {
  '01': { '22': /^.{1,20}$/, '10': /^.{1,20}$/, '21': /^.{1,20}$/, '235': /^.{1,28}$/ },
  '8006': { '22': /^.{1,20}$/, '10': /^.{1,20}$/, '21': /^.{1,20}$/ },
  '414': { '254': /^.{1,20}$/ },
  '8010': { '8011': /^\d{1,12}$/ },
};

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** The finest level only: a serial (or TPX) names the instance, so lot and CPV are dropped. */
function finestQualifiers(ai: string, qualifiers: ReadonlyMap<string, string>): string {
  const pick = (...names: string[]) =>
    names
      .filter((name) => qualifiers.has(name))
      .map((name) => `/${name}/${qualifiers.get(name)}`)
      .join('');
  if (ai === '01' || ai === '8006') {
    if (qualifiers.has('21')) return pick('21');
    if (qualifiers.has('235')) return pick('235');
    return pick('10');
  }
  return pick('254', '8011');
}

function kindOf(ai: string, base: Gs1Kind, qualifiers: ReadonlyMap<string, string>): Gs1Kind {
  if (ai !== '01') return base;
  if (qualifiers.has('21')) return 'sgtin';
  if (qualifiers.has('235')) return 'upui';
  if (qualifiers.has('10')) return 'lgtin';
  return 'gtin';
}

/** Where the primary key starts: an AI (or short name) followed by value and qualifier pairs. */
function primaryKeyIndex(segments: readonly string[]): number {
  return segments.findIndex((segment, i) => {
    const ai = SHORT_NAMES[segment] ?? segment;
    return PRIMARY[ai] !== undefined && i + 1 < segments.length && (segments.length - i) % 2 === 0;
  });
}

/** The qualifier pairs after the key, or undefined when one is not allowed for it. */
function qualifiersOf(ai: string, pairs: readonly string[]): Map<string, string> | undefined {
  const qualifiers = new Map<string, string>();
  for (let i = 0; i < pairs.length; i += 2) {
    const name = SHORT_NAMES[pairs[i] ?? ''] ?? pairs[i] ?? '';
    const value = pairs[i + 1] ?? '';
    const syntax = QUALIFIERS[ai]?.[name];
    const plain = decoded(value);
    if (!syntax || plain === undefined || !syntax.test(plain)) return undefined;
    qualifiers.set(name, value);
  }
  return qualifiers;
}

/** Reads a Digital Link URI; undefined when no primary key with a valid value is found. */
export function parseDigitalLink(uri: string): Gs1Key | undefined {
  const match = /^https?:\/\/[^/?#]+(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i.exec(uri);
  const segments = (match?.[1] ?? '').split('/').filter((segment) => segment !== '');
  const start = primaryKeyIndex(segments);
  const ai = SHORT_NAMES[segments[start] ?? ''] ?? segments[start] ?? '';
  const primary = PRIMARY[ai];
  const rawValue = segments[start + 1] ?? '';
  const value = decoded(rawValue);
  if (start < 0 || !primary || value === undefined || !primary.syntax.test(value)) return undefined;
  const qualifiers = qualifiersOf(ai, segments.slice(start + 2));
  if (!qualifiers) return undefined;
  const keyValue = ai === '01' ? value.padStart(14, '0') : rawValue;
  const checked = primary.checked?.(keyValue);
  const kind = kindOf(ai, primary.kind, qualifiers);
  return gs1Key(kind, `/${ai}/${keyValue}${finestQualifiers(ai, qualifiers)}`, {
    checkDigitValid: checked === undefined || hasValidCheckDigit(checked),
    pattern: kind === 'gtin',
    ...(ai === '01' || ai === '8006' ? { gtin: keyValue.slice(0, 14) } : {}),
    ...(ai === '414' || ai === '417' ? { gln: keyValue } : {}),
  });
}
