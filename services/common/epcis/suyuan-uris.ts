/**
 * The URI forms Suyuan gives its own things where EPCIS needs a URI and no GS1 key exists:
 * a native batch whose product has no GTIN, a party, a shipment, and the 18-character
 * 统一社会信用代码 (unified social credit code, GB 32100) a Chinese party registers. Documented
 * in docs/epcis.md; each reads back to the same thing on capture.
 */
import { isValidUscc } from './check-digits.js';

export const BATCH_URI_PREFIX = 'urn:suyuan:batch:';
export const PARTY_URI_PREFIX = 'urn:suyuan:party:';
export const SHIPMENT_URI_PREFIX = 'urn:suyuan:shipment:';
export const USCC_URI_PREFIX = 'urn:suyuan:uscc:';

/** Stands for a counterparty an EPCIS event does not name. */
export const UNKNOWN_PARTY = `${PARTY_URI_PREFIX}unknown`;

/** A native batch id as a URI: `urn:suyuan:batch:` + the id, percent-encoded. */
export const batchUri = (batchId: string): string =>
  `${BATCH_URI_PREFIX}${encodeURIComponent(batchId)}`;

export const partyUri = (partyId: string): string =>
  `${PARTY_URI_PREFIX}${encodeURIComponent(partyId)}`;

export const shipmentUri = (shipmentId: string): string =>
  `${SHIPMENT_URI_PREFIX}${encodeURIComponent(shipmentId)}`;

function decodedAfter(prefix: string, uri: string): string | undefined {
  if (!uri.startsWith(prefix) || uri.length === prefix.length) return undefined;
  try {
    return decodeURIComponent(uri.slice(prefix.length));
  } catch {
    return undefined;
  }
}

export const batchIdOfPlatformUri = (uri: string) => decodedAfter(BATCH_URI_PREFIX, uri);
export const partyIdOfPlatformUri = (uri: string) => decodedAfter(PARTY_URI_PREFIX, uri);
export const shipmentIdOfPlatformUri = (uri: string) => decodedAfter(SHIPMENT_URI_PREFIX, uri);

/** `urn:suyuan:uscc:<code>` with a valid code (upper case), or undefined. */
export function usccUri(uri: string): string | undefined {
  if (!uri.toLowerCase().startsWith(USCC_URI_PREFIX)) return undefined;
  const code = uri.slice(USCC_URI_PREFIX.length).toUpperCase();
  return isValidUscc(code) ? `${USCC_URI_PREFIX}${code}` : undefined;
}
