/**
 * The requests of the EPCIS scenario: 1000-event EPCIS documents (500 lots commissioned, each
 * then shipped to a customer under a despatch advice) and the same facts as 1000-event native
 * posts, so capture and native ingest are measured on equal work. Serialized before the clock
 * starts; every request names lots of its own.
 */
import { randomUUID } from 'node:crypto';

export const EVENTS_PER_REQUEST = 1000;
const LOTS = EVENTS_PER_REQUEST / 2;
export const COMPANY_PREFIX = '6901234';
/** The customer the shipments go to, by its registered party GLN. */
export const CUSTOMER_PGLN = `urn:epc:id:pgln:${COMPANY_PREFIX}.99999`;
export const CUSTOMER = 'bench-customer';

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const time = (request: number, i: number) =>
  new Date(Date.UTC(2026, 10, 1) + request * 3_600_000 + i * 1000).toISOString();

/** Lot ids are GS1 AI 10 lot numbers: at most 20 characters. */
const lotOf = (tag: string, request: number, i: number) => `${tag}${request}L${i}`.slice(0, 20);

export function epcisDocument(tag: string, request: number): string {
  const events: unknown[] = [];
  for (let i = 0; i < LOTS; i += 1) {
    const lot = `urn:epc:class:lgtin:${COMPANY_PREFIX}.056789.${lotOf(tag, request, i)}`;
    events.push(
      {
        type: 'ObjectEvent',
        eventTime: time(request, i),
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: lot, quantity: 100, uom: 'KGM' }],
      },
      {
        type: 'ObjectEvent',
        eventTime: time(request, i + LOTS),
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [{ epcClass: lot, quantity: 40, uom: 'KGM' }],
        bizTransactionList: [
          { type: 'desadv', bizTransaction: `urn:bench:desadv:${tag}:${request}:${i}` },
        ],
        destinationList: [{ type: 'owning_party', destination: CUSTOMER_PGLN }],
      },
    );
  }
  return JSON.stringify({
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  });
}

export function nativeRequest(tag: string, request: number): string {
  const events: unknown[] = [];
  for (let i = 0; i < LOTS; i += 1) {
    const batchId = `NATIVE-${lotOf(tag, request, i)}`;
    events.push(
      {
        eventId: randomUUID(),
        eventType: 'BatchProduced',
        eventTime: time(request, i),
        batchId,
        product: { id: '06901234567892', name: 'bench powder' },
        quantity: 100,
        unit: 'kg',
      },
      {
        eventId: randomUUID(),
        eventType: 'BatchShipped',
        eventTime: time(request, i + LOTS),
        shipmentId: `bench-${tag}-${request}-${i}`,
        to: CUSTOMER,
        lines: [{ batchId, quantity: 40, unit: 'kg' }],
      },
    );
  }
  return JSON.stringify({ events });
}
