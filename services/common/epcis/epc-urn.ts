/**
 * EPC URNs (EPC Tag Data Standard §6–7): `urn:epc:id:…` instances, `urn:epc:class:lgtin:…` lots
 * and `urn:epc:idpat:…` class patterns, read into GS1 keys. The URN carries the company-prefix
 * length, so the Digital Link follows without any other data.
 */
import { gs1CheckDigit } from './check-digits.js';
import { gs1Key as key, percentEncode, type Gs1Key } from './gs1-key.js';

const isCompanyPrefix = (cp: string | undefined) => cp !== undefined && /^\d{6,12}$/.test(cp);

/** Company prefix (6–12 digits) and a reference that together have `total` digits. */
function prefixed(cp: string | undefined, ref: string | undefined, total: number) {
  if (!isCompanyPrefix(cp) || ref === undefined || !/^\d*$/.test(ref)) return undefined;
  return `${cp}${ref}`.length === total ? `${cp}${ref}` : undefined;
}

/** GTIN-14 from an EPC company prefix and item reference (its first digit is the indicator). */
function gtinOf(cp: string | undefined, itemRef: string | undefined): string | undefined {
  if (prefixed(cp, itemRef, 13) === undefined || itemRef === undefined || cp === undefined) {
    return undefined;
  }
  const raw = itemRef.slice(0, 1) + cp + itemRef.slice(1);
  return raw + gs1CheckDigit(raw);
}

const withCheck = (digits: string | undefined) =>
  digits === undefined ? undefined : digits + gs1CheckDigit(digits);

type Parts = string[];
const rest = (parts: Parts, from: number) => parts.slice(from).join('.');
const nonEmpty = (value: string) => (value.length > 0 ? value : undefined);

/** `urn:epc:id:<scheme>:<body>`, split at the dots of its body. */
const EPC_ID: Record<string, (p: Parts) => Gs1Key | undefined> = {
  sgtin: (p) => {
    const gtin = gtinOf(p[0], p[1]);
    const serial = nonEmpty(rest(p, 2));
    return gtin && serial
      ? key('sgtin', `/01/${gtin}/21/${percentEncode(serial)}`, { gtin })
      : undefined;
  },
  sscc: (p) => {
    if (p.length !== 2 || !prefixed(p[0], p[1], 17) || !p[0] || !p[1]) return undefined;
    return key('sscc', `/00/${withCheck(p[1].slice(0, 1) + p[0] + p[1].slice(1))}`);
  },
  sgln: (p) => {
    const gln = withCheck(prefixed(p[0], p[1], 12));
    const extension = rest(p, 2);
    if (!gln || extension === '') return undefined;
    const tail = extension === '0' ? '' : `/254/${percentEncode(extension)}`;
    return key('gln', `/414/${gln}${tail}`, { gln });
  },
  pgln: (p) => {
    const gln = p.length === 2 ? withCheck(prefixed(p[0], p[1], 12)) : undefined;
    return gln ? key('pgln', `/417/${gln}`, { gln }) : undefined;
  },
  grai: (p) => {
    const digits = prefixed(p[0], p[1], 12);
    const serial = rest(p, 2);
    return digits
      ? key('grai', `/8003/${withCheck(`0${digits}`)}${percentEncode(serial)}`)
      : undefined;
  },
  giai: (p) => {
    const reference = nonEmpty(rest(p, 1));
    return reference && isCompanyPrefix(p[0])
      ? key('giai', `/8004/${p[0]}${percentEncode(reference)}`)
      : undefined;
  },
  gsrn: (p) => {
    const digits = p.length === 2 ? withCheck(prefixed(p[0], p[1], 17)) : undefined;
    return digits ? key('gsrn', `/8018/${digits}`) : undefined;
  },
  gsrnp: (p) => {
    const digits = p.length === 2 ? withCheck(prefixed(p[0], p[1], 17)) : undefined;
    return digits ? key('gsrnp', `/8017/${digits}`) : undefined;
  },
  gdti: (p) => {
    const digits = withCheck(prefixed(p[0], p[1], 12));
    return digits ? key('gdti', `/253/${digits}${percentEncode(rest(p, 2))}`) : undefined;
  },
  cpi: (p) => {
    const serial = p.at(-1);
    const reference = p.slice(1, -1).join('.');
    if (!serial || !/^\d{1,12}$/.test(serial) || !reference || !isCompanyPrefix(p[0])) {
      return undefined;
    }
    return key('cpi', `/8010/${percentEncode(`${p[0]}${reference}`)}/8011/${serial}`);
  },
  sgcn: (p) => {
    const digits = withCheck(prefixed(p[0], p[1], 12));
    const serial = rest(p, 2);
    return digits && /^\d{0,12}$/.test(serial) ? key('sgcn', `/255/${digits}${serial}`) : undefined;
  },
  ginc: (p) => {
    const reference = rest(p, 1);
    return reference && isCompanyPrefix(p[0])
      ? key('ginc', `/401/${percentEncode(`${p[0]}${reference}`)}`)
      : undefined;
  },
  gsin: (p) => {
    const digits = p.length === 2 ? withCheck(prefixed(p[0], p[1], 16)) : undefined;
    return digits ? key('gsin', `/402/${digits}`) : undefined;
  },
  itip: (p) => {
    const gtin = gtinOf(p[0], p[1]);
    const [piece, total] = [p[2], p[3]];
    const serial = rest(p, 4);
    if (!gtin || !/^\d{2}$/.test(piece ?? '') || !/^\d{2}$/.test(total ?? '') || !serial) {
      return undefined;
    }
    return key('itip', `/8006/${gtin}${piece}${total}/21/${percentEncode(serial)}`, { gtin });
  },
  upui: (p) => {
    const gtin = gtinOf(p[0], p[1]);
    const tpx = rest(p, 2);
    return gtin && tpx ? key('upui', `/01/${gtin}/235/${percentEncode(tpx)}`, { gtin }) : undefined;
  },
};

/** `urn:epc:idpat:<scheme>:<body>` with the last component `*`: a class of instances. */
const EPC_PATTERN: Record<string, (p: Parts) => Gs1Key | undefined> = {
  sgtin: (p) => {
    const gtin = p.length === 3 ? gtinOf(p[0], p[1]) : undefined;
    return gtin ? key('gtin', `/01/${gtin}`, { gtin, pattern: true }) : undefined;
  },
  upui: (p) => EPC_PATTERN.sgtin?.(p),
  grai: (p) => {
    const digits = p.length === 3 ? prefixed(p[0], p[1], 12) : undefined;
    return digits ? key('grai', `/8003/${withCheck(`0${digits}`)}`, { pattern: true }) : undefined;
  },
  gdti: (p) => {
    const digits = p.length === 3 ? withCheck(prefixed(p[0], p[1], 12)) : undefined;
    return digits ? key('gdti', `/253/${digits}`, { pattern: true }) : undefined;
  },
  sgcn: (p) => {
    const digits = p.length === 3 ? withCheck(prefixed(p[0], p[1], 12)) : undefined;
    return digits ? key('sgcn', `/255/${digits}`, { pattern: true }) : undefined;
  },
  cpi: (p) =>
    p.length >= 3 && isCompanyPrefix(p[0])
      ? key('cpi', `/8010/${percentEncode(`${p[0]}${p.slice(1, -1).join('.')}`)}`, {
          pattern: true,
        })
      : undefined,
  itip: (p) => {
    const gtin = p.length === 5 ? gtinOf(p[0], p[1]) : undefined;
    const [piece, total] = [p[2] ?? '', p[3] ?? ''];
    if (!gtin || !/^\d{2}$/.test(piece) || !/^\d{2}$/.test(total)) return undefined;
    return key('itip', `/8006/${gtin}${piece}${total}`, { gtin, pattern: true });
  },
};

export function parseEpcUrn(uri: string): Gs1Key | undefined {
  const match = /^urn:epc:(id|idpat|class):([a-z]+):(.+)$/.exec(uri);
  if (!match) return undefined;
  const [, form, scheme = '', body = ''] = match;
  const parts = body.split('.');
  if (form === 'id') return EPC_ID[scheme]?.(parts);
  if (form === 'class') {
    if (scheme !== 'lgtin') return undefined;
    const gtin = gtinOf(parts[0], parts[1]);
    const lot = rest(parts, 2);
    return gtin && lot ? key('lgtin', `/01/${gtin}/10/${percentEncode(lot)}`, { gtin }) : undefined;
  }
  if (parts.at(-1) !== '*' || parts.slice(0, -1).includes('*')) return undefined;
  return EPC_PATTERN[scheme]?.(parts);
}
