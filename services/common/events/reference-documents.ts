/**
 * The reference documents of a shipment or receipt (BatchShipped and BatchReceived v3): the
 * business documents that record it — FSMA 204's "reference document" (21 CFR 1.1310: bills of
 * lading, purchase orders, advance shipping notices, invoices...) and EPCIS's bizTransaction.
 * The types are the CBV 2.0 business transaction types under readable names, and OTHER for a
 * document the CBV does not name (a receipt, a batch log); docs/epcis.md maps one onto the other.
 */
import type { BatchShipped } from './event-types.generated.js';

export type ReferenceDocument = BatchShipped['referenceDocuments'][number];
export type ReferenceDocumentType = ReferenceDocument['type'];

/** Every type, in the schema's order (a type missing here or not in the schema fails to compile). */
export const REFERENCE_DOCUMENT_TYPES = [
  'BILL_OF_LADING',
  'PURCHASE_ORDER',
  'PURCHASE_ORDER_CONFIRMATION',
  'INVOICE',
  'DESPATCH_ADVICE',
  'RECEIVING_ADVICE',
  'RETURN_AUTHORIZATION',
  'PRODUCTION_ORDER',
  'CERTIFICATE',
  'PEDIGREE',
  'TEST_PROCEDURE',
  'TEST_RESULT',
  'UPSTREAM_EPCIS_EVENT',
  'OTHER',
] as const satisfies readonly ReferenceDocumentType[];

type Missing = Exclude<ReferenceDocumentType, (typeof REFERENCE_DOCUMENT_TYPES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/** The most documents one event may name, and the longest number. */
export const MAX_REFERENCE_DOCUMENTS = 20;
export const MAX_REFERENCE_NUMBER = 256;
