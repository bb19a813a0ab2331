/**
 * What the evidence of an EPCIS export must back (GET /epcis/events?evidence=true, docs/proofs.md):
 * every event of the document is what a signed record states. A captured event is its
 * EpcisEventCaptured record's event as it came, with the eventID and recordTime the query adds; a
 * native event is that event mapped to EPCIS by the export's own mapping (from-native.ts), with
 * the error declaration of the EventRetracted that retracted it, when the export shows one.
 */
import type { EvidenceAnswer } from '../../services/common/api/proofs.js';
import type { SuyuanEvent } from '../../services/common/events/event-types.generated.js';
import {
  isExported,
  nativeToEpcis,
  type Retraction,
} from '../../services/common/epcis/from-native.js';
import { firstDifference, type Failure } from './verify-evidence.js';

type Json = Record<string, unknown>;

/** The events of an EPCISQueryDocument. */
export function eventListOf(document: Json): Json[] {
  const body = document.epcisBody as Json | undefined;
  const results = body?.queryResults as Json | undefined;
  const list = (results?.resultsBody as Json | undefined)?.eventList;
  return Array.isArray(list) ? (list as Json[]) : [];
}

const iso = (time: unknown) => new Date(String(time)).toISOString();

/** The signed events of the evidence, as the verifier found them equal to their log records. */
class SignedEvents {
  readonly byId: Map<string, Json>;
  readonly captured: Json[];
  readonly products = new Map<string, string>();
  private readonly retractions: Json[];

  constructor(evidence: EvidenceAnswer) {
    const events = evidence.proofs.flatMap((proof) => (proof.event ? [proof.event] : []));
    this.byId = new Map(events.map((event) => [String(event.eventId), event]));
    this.captured = events.filter((event) => event.eventType === 'EpcisEventCaptured');
    this.retractions = events.filter((event) => event.eventType === 'EventRetracted');
    for (const event of events) {
      if (event.eventType === 'BatchProduced') {
        this.products.set(String(event.batchId), String((event.product as Json).id));
      }
    }
  }

  /** The first retraction of an event, as the export shows it (its earliest, like the query). */
  retractionOf(eventId: string): Retraction | undefined {
    const first = this.retractions
      .filter((event) => event.targetEventId === eventId)
      .sort((a, b) => iso(a.eventTime).localeCompare(iso(b.eventTime)))[0];
    return first && { at: iso(first.eventTime), reason: String(first.reason) };
  }
}

/**
 * The GTIN the export's own identifiers give a batch. A batch's product is stated by its
 * BatchProduced event: when that event is in the evidence its product is used, else the one the
 * export names (the mapping then checks every other field; docs/proofs.md says what is left).
 */
function productsNamedBy(exported: Json): Map<string, string> {
  const products = new Map<string, string>();
  const lists = ['quantityList', 'inputQuantityList', 'outputQuantityList', 'childQuantityList'];
  for (const list of lists) {
    const lines = exported[list];
    if (!Array.isArray(lines)) continue;
    for (const line of lines as Json[]) {
      const match = /^https:\/\/id\.gs1\.org\/01\/(\d{14})\/10\/([^/]+)$/.exec(
        String(line.epcClass),
      );
      if (match) products.set(decodeURIComponent(match[2]!), match[1]!);
    }
  }
  return products;
}

function nativeClaim(exported: Json, event: Json, signed: SignedEvents): Failure | undefined {
  const eventId = String(event.eventId);
  const named = productsNamedBy(exported);
  const expected = nativeToEpcis(
    event as unknown as Extract<SuyuanEvent, { eventType: 'BatchProduced' }>,
    (batchId) => signed.products.get(batchId) ?? named.get(batchId) ?? null,
    signed.retractionOf(eventId),
  );
  const differs = firstDifference(expected, exported);
  return differs === undefined
    ? undefined
    : {
        eventId,
        reason: `EPCIS event ${String(exported.eventID)} of the export is not what its signed record states, at ${differs}`,
      };
}

function capturedClaim(exported: Json, signed: SignedEvents): Failure | undefined {
  const eventID = String(exported.eventID);
  const asExported = (record: Json): Json => {
    const event = JSON.parse(String(record.event)) as Json;
    return {
      ...event,
      eventID: event.eventID ?? record.epcisEventId,
      recordTime: iso(record.recordedAt),
    };
  };
  const records = signed.captured.filter((record) => asExported(record).eventID === eventID);
  if (records.length === 0) {
    return { reason: `EPCIS event ${eventID} of the export has no signed record in the evidence` };
  }
  // An event captured again with its error declaration has two records: the export shows one.
  const differences = records.map((record) => firstDifference(asExported(record), exported));
  if (differences.includes(undefined)) return undefined;
  return {
    eventId: String(records[0]!.eventId),
    reason: `EPCIS event ${eventID} of the export is not what its signed record states, at ${differences[0]!}`,
  };
}

/** The first event of the export that no signed record states as the export shows it. */
export function epcisClaims(document: Json, evidence: EvidenceAnswer): Failure | undefined {
  const signed = new SignedEvents(evidence);
  for (const exported of eventListOf(document)) {
    const eventID = String(exported.eventID);
    const native = eventID.startsWith('urn:uuid:')
      ? signed.byId.get(eventID.slice('urn:uuid:'.length))
      : undefined;
    const failure =
      native && isExported(native as unknown as SuyuanEvent)
        ? nativeClaim(exported, native, signed)
        : capturedClaim(exported, signed);
    if (failure) return failure;
  }
  return undefined;
}
