/**
 * What the store knows that mapping a document's EPCIS events needs (capture-knowledge.ts),
 * fetched in a few grouped reads before the mapping runs: the parties its sources and
 * destinations name, the containment of the containers it names (inner ones too), the inputs
 * of the transformations it continues, the events its error declarations correct, and the
 * shippers of the shipments it receives.
 */
import type { PartyDirectory } from '../../common/access/party-directory.js';
import type { ContainmentFact } from '../../common/epcis/containment.js';
import type { CapturedOriginal, StoreFacts } from '../../common/epcis/capture-knowledge.js';
import {
  EPC_LISTS,
  epcsOf,
  parentOf,
  sourcesOrDestinations,
  type EpcisEvent,
} from '../../common/epcis/epcis-event.js';
import { parseGs1Uri } from '../../common/epcis/gs1-uri.js';
import { partyIdentifierKey } from '../../common/epcis/party-identifiers.js';
import type { Line } from '../../common/epcis/placement.js';
import { partyIdOfPlatformUri } from '../../common/epcis/suyuan-uris.js';
import { shipmentIdOf } from '../../common/epcis/to-native-movements.js';
import { byColumns } from '../../common/serving/utf8-order.js';
import { queryInChunks } from '../../common/store/query-in-chunks.js';
import type { Store } from '../../common/store/store.js';
import { productionFacts, transformationOutputFacts } from './store-productions.js';

/** An event of the document with the id it is captured under. */
export interface IdentifiedEvent {
  readonly event: EpcisEvent;
  readonly epcisEventId: string;
}

/** Inner containers are opened this many levels deep at most (pallets of cases of boxes…). */
const MAX_NESTING = 8;

const NOT_DECLARED = `epcis_event_id NOT IN
  (SELECT epcis_event_id FROM epcis_events FINAL WHERE declared = 1)`;

async function partyFacts(parties: PartyDirectory, events: readonly IdentifiedEvent[]) {
  const ids = events.flatMap(({ event }) =>
    [
      ...sourcesOrDestinations(event, 'sourceList'),
      ...sourcesOrDestinations(event, 'destinationList'),
    ].map((entry) => entry.id),
  );
  const platformIds = ids.flatMap((id) => partyIdOfPlatformUri(id) ?? []);
  const [byIdentifier, registered] = await Promise.all([
    parties.findByIdentifier(ids.map(partyIdentifierKey)),
    parties.find(platformIds),
  ]);
  return { partyByIdentifier: byIdentifier, registeredParties: new Set(registered.keys()) };
}

async function containmentFacts(
  store: Store,
  events: readonly IdentifiedEvent[],
): Promise<ContainmentFact[]> {
  const named = events.flatMap(({ event }) => [
    ...EPC_LISTS.flatMap((list) => epcsOf(event, list)),
    ...[parentOf(event)].flatMap((parent) => parent ?? []),
  ]);
  let frontier = [...new Set(named.map((epc) => epc.id))].filter(
    (id) => parseGs1Uri(id)?.kind === 'sscc',
  );
  const seen = new Set(frontier);
  const facts: ContainmentFact[] = [];
  for (let level = 0; frontier.length > 0 && level < MAX_NESTING; level++) {
    const rows = await queryInChunks<{
      parent: string;
      child: string;
      quantity: number | null;
      unit: string | null;
      action: 'ADD' | 'DELETE';
      at: string;
      epcis_event_id: string;
    }>(
      store,
      `SELECT parent, child, quantity, unit, action, at, epcis_event_id FROM epcis_containment FINAL
       WHERE parent IN {ids:Array(String)} AND ${NOT_DECLARED}`,
      'ids',
      frontier,
    );
    for (const row of rows) {
      facts.push({
        parent: row.parent,
        child: row.child === '' ? null : row.child,
        quantity: row.quantity,
        unit: row.unit,
        action: row.action,
        at: new Date(row.at).toISOString(),
        order: row.epcis_event_id,
      });
    }
    frontier = [...new Set(rows.map((row) => row.child))].filter(
      (child) => parseGs1Uri(child)?.kind === 'sscc' && !seen.has(child),
    );
    for (const child of frontier) seen.add(child);
  }
  return facts;
}

const transformationIdsOf = (events: readonly IdentifiedEvent[]) => [
  ...new Set(
    events.flatMap(({ event }) =>
      typeof event.transformationID === 'string' ? [event.transformationID] : [],
    ),
  ),
];

/** The inputs each captured event of the transformations named, by transformation and event. */
async function transformationInputFacts(store: Store, ids: readonly string[]) {
  const inputs = new Map<string, Map<string, Line[]>>();
  if (ids.length === 0) return inputs;
  const rows = await queryInChunks<{
    transformation_id: string;
    epcis_event_id: string;
    batch_id: string;
    quantity: number;
    unit: string;
  }>(
    store,
    `SELECT transformation_id, epcis_event_id, batch_id, quantity, unit
     FROM epcis_transformation_inputs FINAL
     WHERE transformation_id IN {ids:Array(String)} AND ${NOT_DECLARED}
     ORDER BY transformation_id, epcis_event_id, batch_id`,
    'ids',
    ids,
    {
      order: byColumns(
        (row) => row.transformation_id,
        (row) => row.epcis_event_id,
        (row) => row.batch_id,
      ),
    },
  );
  for (const row of rows) {
    const byEvent = inputs.get(row.transformation_id) ?? new Map<string, Line[]>();
    const lines = byEvent.get(row.epcis_event_id) ?? [];
    lines.push({ batchId: row.batch_id, quantity: row.quantity, unit: row.unit });
    byEvent.set(row.epcis_event_id, lines);
    inputs.set(row.transformation_id, byEvent);
  }
  return inputs;
}

async function transformationFacts(store: Store, events: readonly IdentifiedEvent[]) {
  const ids = transformationIdsOf(events);
  const [transformationInputs, transformationOutputs] = await Promise.all([
    transformationInputFacts(store, ids),
    transformationOutputFacts(store, ids),
  ]);
  return { transformationInputs, transformationOutputs };
}

async function originalFacts(store: Store, events: readonly IdentifiedEvent[]) {
  const declared = events.filter(({ event }) => event.errorDeclaration !== undefined);
  const originals = new Map<string, CapturedOriginal>();
  if (declared.length === 0) return originals;
  const rows = await queryInChunks<{
    epcis_event_id: string;
    party: string;
    derived_event_ids: string[];
  }>(
    store,
    `SELECT epcis_event_id, party, derived_event_ids FROM epcis_events FINAL
     WHERE epcis_event_id IN {ids:Array(String)}`,
    'ids',
    declared.map((item) => item.epcisEventId),
  );
  // What a declaration retracts: retracting the retractions an event made would undo nothing.
  const retractions = await queryInChunks<{ event_id: string }>(
    store,
    `SELECT event_id FROM events FINAL
     WHERE event_id IN {ids:Array(String)} AND event_type = 'EventRetracted'`,
    'ids',
    rows.flatMap((row) => row.derived_event_ids),
  );
  const skipped = new Set(retractions.map((row) => row.event_id));
  for (const row of rows) {
    originals.set(row.epcis_event_id, {
      party: row.party,
      derivedEventIds: row.derived_event_ids.filter((id) => !skipped.has(id)),
    });
  }
  return originals;
}

async function shipperFacts(store: Store, events: readonly IdentifiedEvent[]) {
  const ids = events.map(shipmentIdOf);
  const rows = await queryInChunks<{ shipment_id: string; from_party: string }>(
    store,
    `SELECT DISTINCT shipment_id, from_party FROM shipments
     WHERE shipment_id IN {ids:Array(String)}`,
    'ids',
    ids,
  );
  return new Map(rows.map((row) => [row.shipment_id, row.from_party]));
}

/**
 * Whether mapping these events reads what earlier captures stated (and so must wait until the
 * projector has stored them): containers, transformations, error declarations, and receipts
 * whose sender only their shipment names.
 */
export function needsEarlierCaptures(events: readonly IdentifiedEvent[]): boolean {
  return events.some(({ event }) => {
    const named = [
      ...EPC_LISTS.flatMap((list) => epcsOf(event, list)),
      ...[parentOf(event)].flatMap((p) => p ?? []),
    ];
    return (
      named.some((epc) => parseGs1Uri(epc.uri)?.kind === 'sscc') ||
      typeof event.transformationID === 'string' ||
      event.errorDeclaration !== undefined ||
      (String(event.bizStep).endsWith('receiving') &&
        sourcesOrDestinations(event, 'sourceList').length === 0)
    );
  });
}

export async function fetchStoreFacts(
  store: Store,
  parties: PartyDirectory,
  events: readonly IdentifiedEvent[],
): Promise<StoreFacts> {
  const receipts = events.filter(({ event }) => String(event.bizStep).endsWith('receiving'));
  const [party, containment, transformations, productions, originals, shippers] = await Promise.all(
    [
      partyFacts(parties, events),
      containmentFacts(store, events),
      transformationFacts(store, events),
      productionFacts(store, events),
      originalFacts(store, events),
      receipts.length > 0 ? shipperFacts(store, receipts) : new Map<string, string>(),
    ],
  );
  return { ...party, containment, ...transformations, productions, originals, shippers };
}
