/**
 * Reference documents (BatchShipped and BatchReceived v3) as EPCIS business transactions, both
 * ways. Each type is one CBV 2.0 bizTransaction type (OTHER is a transaction without a CBV type);
 * a number is the transaction's id: one that is a URI already (a captured id) as it is, any other
 * as `urn:suyuan:document:{number}` (percent-encoded), which capture reads back to the number, so
 * every document exported captures back as itself.
 * The export's own `desadv` `urn:suyuan:shipment:{id}` pairs a shipment with its receipt and is
 * not a document of either.
 */
import { createHash } from 'node:crypto';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import {
  MAX_REFERENCE_NUMBER,
  type ReferenceDocument,
  type ReferenceDocumentType,
} from '../events/reference-documents.js';
import type { BizTransaction } from './epcis-event.js';
import { SHIPMENT_URI_PREFIX } from './suyuan-uris.js';

/** Each type's bare CBV term (`bol` is `https://ref.gs1.org/cbv/BTT-bol`). */
const CBV_TERM = {
  BILL_OF_LADING: 'bol',
  PURCHASE_ORDER: 'po',
  PURCHASE_ORDER_CONFIRMATION: 'poc',
  INVOICE: 'inv',
  DESPATCH_ADVICE: 'desadv',
  RECEIVING_ADVICE: 'recadv',
  RETURN_AUTHORIZATION: 'rma',
  PRODUCTION_ORDER: 'prodorder',
  CERTIFICATE: 'cert',
  PEDIGREE: 'pedigree',
  TEST_PROCEDURE: 'testprd',
  TEST_RESULT: 'testres',
  UPSTREAM_EPCIS_EVENT: 'upevt',
  OTHER: undefined,
} as const satisfies Record<ReferenceDocumentType, string | undefined>;

const TYPE_OF_TERM = new Map<string, ReferenceDocumentType>(
  Object.entries(CBV_TERM).flatMap(([type, term]) =>
    term === undefined ? [] : [[term, type as ReferenceDocumentType]],
  ),
);

export const DOCUMENT_URI_PREFIX = 'urn:suyuan:document:';

// ajv-formats' own test, so an exported id is one the EPCIS JSON Schema's `format: uri` admits.
const isUri = fullFormats.uri as (value: string) => boolean;

/**
 * A document number as a bizTransaction id: a URI as it is, unless it is one of the platform's
 * own (which capture reads as what it names), and any other number under `urn:suyuan:document:`.
 */
export function documentUri(number: string): string {
  return isUri(number) && !number.startsWith('urn:suyuan:')
    ? number
    : `${DOCUMENT_URI_PREFIX}${encodeURIComponent(number)}`;
}

/** A bizTransaction id as a document number: ours decoded, any other as it is (hashed past the bound). */
function numberOf(id: string): string {
  if (id.startsWith(DOCUMENT_URI_PREFIX) && id.length > DOCUMENT_URI_PREFIX.length) {
    try {
      return decodeURIComponent(id.slice(DOCUMENT_URI_PREFIX.length));
    } catch {
      // Not percent-encoded as the export writes it: kept as the URI it is.
    }
  }
  return id.length <= MAX_REFERENCE_NUMBER
    ? id
    : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * The bizTransactionList entries of a shipment's or receipt's documents, in their order. An event
 * read from a JSON payload stored before v3 (the store's, a proof's stored copy) has no list: none.
 */
export function documentTransactions(
  documents: readonly ReferenceDocument[] | undefined,
): Array<{ type?: string; bizTransaction: string }> {
  return (documents ?? []).map(({ type, number }) => {
    const term = CBV_TERM[type];
    return { ...(term ? { type: term } : {}), bizTransaction: documentUri(number) };
  });
}

/**
 * The documents an EPCIS event's business transactions name (their type bare, as
 * `bizTransactions` gives it): a type outside the CBV, or none, is OTHER; the export's shipment
 * id is left out, and a transaction named twice is one document.
 */
export function referenceDocumentsOf(transactions: readonly BizTransaction[]): ReferenceDocument[] {
  const documents = new Map<string, ReferenceDocument>();
  for (const { type, id } of transactions) {
    if (id.startsWith(SHIPMENT_URI_PREFIX)) continue;
    const document = {
      type: (type && TYPE_OF_TERM.get(type)) || 'OTHER',
      number: numberOf(id),
    } as const;
    documents.set(`${document.type} ${document.number}`, document);
  }
  return [...documents.values()];
}
