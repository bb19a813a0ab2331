/**
 * The identifiers a party registers (POST /v1/parties `identifiers`) and how an EPCIS source or
 * destination finds that party again. A GLN names one party whether it comes as a party GLN
 * (`urn:epc:id:pgln:…`, `…/417/…`) or a location GLN (`urn:epc:id:sgln:…`, `…/414/…`, a
 * sub-location's GLN included), so both map to the one key `https://id.gs1.org/417/{GLN}`.
 * Non-GS1 codes use a documented URI form: `urn:suyuan:uscc:<18 characters>` for the
 * 统一社会信用代码.
 */
import { parseGs1Uri } from './gs1-uri.js';
import { usccUri } from './suyuan-uris.js';

const partyGln = (gln: string) => `https://id.gs1.org/417/${gln}`;

/** The key under which a registered identifier is stored and looked up. */
export function partyIdentifierKey(uri: string): string {
  const key = parseGs1Uri(uri);
  if (key?.gln !== undefined) return partyGln(key.gln);
  return usccUri(uri) ?? key?.canonical ?? uri;
}

/** A registrable identifier's key, or why it is not one. */
export function registrableIdentifier(uri: string): { key: string } | { problem: string } {
  const key = parseGs1Uri(uri);
  if (key?.gln !== undefined) {
    return key.checkDigitValid
      ? { key: partyGln(key.gln) }
      : { problem: 'the GLN check digit is wrong' };
  }
  const uscc = usccUri(uri);
  if (uscc) return { key: uscc };
  if (uri.toLowerCase().startsWith('urn:suyuan:uscc:')) {
    return { problem: 'not an 18-character 统一社会信用代码 with its check character (GB 32100)' };
  }
  return {
    problem:
      'must be a PGLN or GLN (urn:epc:id:pgln:…, urn:epc:id:sgln:…, https://id.gs1.org/417/… or /414/…) ' +
      'or urn:suyuan:uscc:<统一社会信用代码>',
  };
}
