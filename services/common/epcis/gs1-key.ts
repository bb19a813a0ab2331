/**
 * One GS1 key read from any of its URI forms, and how its canonical Digital Link is built.
 */
export type Gs1Kind =
  | 'sgtin'
  | 'lgtin'
  | 'gtin'
  | 'sscc'
  | 'gln'
  | 'pgln'
  | 'grai'
  | 'giai'
  | 'gsrn'
  | 'gsrnp'
  | 'gdti'
  | 'cpi'
  | 'sgcn'
  | 'ginc'
  | 'gsin'
  | 'itip'
  | 'upui';

export interface Gs1Key {
  readonly kind: Gs1Kind;
  /** The canonical GS1 Digital Link URI (https://id.gs1.org/…). */
  readonly canonical: string;
  /** The GTIN-14 of GTIN-based keys (sgtin, lgtin, gtin, upui, itip). */
  readonly gtin?: string;
  /** The 13-digit GLN of a location or party. */
  readonly gln?: string;
  /** False when a Digital Link carries a wrong check digit (an EPC URN carries none). */
  readonly checkDigitValid: boolean;
  /** True for a class pattern (`urn:epc:idpat:…`, or a GTIN with neither lot nor serial). */
  readonly pattern: boolean;
}

export const DL_HOST = 'https://id.gs1.org';

/** GS1 Digital Link table 7-1: characters an AI value must carry percent-encoded. */
export const percentEncode = (value: string) =>
  value.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const gs1Key = (
  kind: Gs1Kind,
  path: string,
  extra: Partial<Omit<Gs1Key, 'kind' | 'canonical'>> = {},
): Gs1Key => ({
  kind,
  canonical: `${DL_HOST}${path}`,
  checkDigitValid: true,
  pattern: false,
  ...extra,
});
