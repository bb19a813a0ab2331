/**
 * Shipping and receiving. A receipt pairs with its shipment through a shared `desadv` (despatch
 * advice) or `bol` (bill of lading) business transaction: that URI is the shipment id. Without
 * one, the shipment id is the EPCIS event's own id, so a shipment stands alone and a receipt
 * shows as custody that arrived from its source. The counterparty is the destination's (or the
 * source's) owning party, else its possessing party, else its location's party; one that is not
 * registered stays as its canonical identifier, and none at all is `urn:suyuan:party:unknown`.
 * Every business transaction (the pairing one too: a bill of lading is a document) is a reference
 * document of the shipment or receipt.
 */
import { createHash } from 'node:crypto';
import type { UnstampedEvent } from '../events/unstamped-event.js';
import { bizTransactions, sourcesOrDestinations } from './epcis-event.js';
import { partyIdentifierKey } from './party-identifiers.js';
import type { Line } from './placement.js';
import { referenceDocumentsOf } from './reference-documents.js';
import { shipmentIdOfPlatformUri, UNKNOWN_PARTY } from './suyuan-uris.js';
import { envelopeOf, type MapRequest } from './mapping-request.js';

const PAIRING_TYPES = ['desadv', 'bol'];
const MAX_ID = 128;

/** A shipment id within the native limit: a longer URI is replaced by its hash. */
const boundedId = (id: string) =>
  id.length <= MAX_ID ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;

export function shipmentIdOf(request: Pick<MapRequest, 'event' | 'epcisEventId'>): string {
  const pairing = PAIRING_TYPES.flatMap((type) =>
    bizTransactions(request.event).filter((transaction) => transaction.type === type),
  )[0];
  if (!pairing) return boundedId(request.epcisEventId);
  return boundedId(shipmentIdOfPlatformUri(pairing.id) ?? pairing.id);
}

const PARTY_TYPES = ['owning_party', 'possessing_party', 'location'];

/** The registered party (or the canonical identifier) a source or destination list names. */
export function counterparty(
  request: MapRequest,
  list: 'sourceList' | 'destinationList',
): string | undefined {
  const entries = sourcesOrDestinations(request.event, list);
  for (const type of PARTY_TYPES) {
    const entry = entries.find((candidate) => candidate.type === type);
    if (entry) {
      return request.knowledge.partyOf(entry.id) ?? partyIdentifierKey(entry.id).slice(0, MAX_ID);
    }
  }
  return undefined;
}

type Of<T extends UnstampedEvent['eventType']> = Extract<UnstampedEvent, { eventType: T }>;

export function shipmentOf(
  request: MapRequest,
  lines: readonly Line[],
): Of<'BatchShipped'> | undefined {
  if (lines.length === 0) return undefined;
  return {
    eventType: 'BatchShipped',
    ...envelopeOf(request, 'shipped'),
    epcisEventId: request.epcisEventId,
    shipmentId: shipmentIdOf(request),
    to: counterparty(request, 'destinationList') ?? UNKNOWN_PARTY,
    lines: lines.map((line) => ({ ...line })),
    referenceDocuments: referenceDocumentsOf(bizTransactions(request.event)),
  };
}

export function receiptOf(
  request: MapRequest,
  lines: readonly Line[],
): Of<'BatchReceived'> | undefined {
  if (lines.length === 0) return undefined;
  const shipmentId = shipmentIdOf(request);
  return {
    eventType: 'BatchReceived',
    ...envelopeOf(request, 'received'),
    epcisEventId: request.epcisEventId,
    shipmentId,
    from:
      counterparty(request, 'sourceList') ??
      request.knowledge.shipperOf(shipmentId) ??
      UNKNOWN_PARTY,
    lines: lines.map((line) => ({ ...line })),
    referenceDocuments: referenceDocumentsOf(bizTransactions(request.event)),
  };
}
