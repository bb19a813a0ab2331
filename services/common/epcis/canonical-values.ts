/**
 * How the CBV 2.0 event hash (§8.9) writes a value: times in UTC to the millisecond, numbers in
 * their shortest form, GS1 keys as canonical Digital Link URIs, EPCIS 1.x CBV URNs as web URIs.
 * The rounding and number forms follow the reference implementation the official vectors were
 * made with (RalphTro/epcis-event-hash-generator), so every vector gives the same hash here.
 */
import { webVocabulary } from './cbv.js';
import { canonicalUri } from './gs1-uri.js';

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Python's repr of a float: what the reference writes for every number. */
function pythonFloat(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString();
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4) return String(value);
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** A number written as text ("26.0", "+5", "1e3") in its shortest form; other text as it is. */
export function canonicalNumber(text: string): string {
  if (!NUMBER.test(text)) return text;
  const value = Number(text);
  return Number.isFinite(value) ? pythonFloat(value) : text;
}

const TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

/**
 * A timestamp in UTC with milliseconds: `2020-03-04T11:00:30.1415+01:00` →
 * `2020-03-04T10:00:30.142Z`. The fraction is read to microseconds and rounded half to even, as
 * the reference does. Text that is not a time is returned as it is.
 */
export function canonicalTime(text: string): string {
  const match = TIME.exec(text.trim());
  if (!match) return text;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
  const micros = Number(fraction.padEnd(6, '0').slice(0, 6));
  const millis = Math.floor(micros / 1000);
  const remainder = micros % 1000;
  const rounded = remainder > 500 || (remainder === 500 && millis % 2 === 1) ? millis + 1 : millis;
  const offsetMinutes = zoneMinutes(zone);
  const utc =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), rounded) -
    offsetMinutes * 60_000;
  if (Number.isNaN(utc)) return text;
  return new Date(utc).toISOString();
}

function zoneMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

/** Any value of an event: a legacy CBV URN as a web URI, a number shortened, a GS1 key as DL. */
export function canonicalValue(text: string): string {
  const value = canonicalNumber(webVocabulary(text.trim()));
  return canonicalUri(value);
}
