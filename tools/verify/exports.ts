/**
 * What the evidence of an export must back (docs/proofs.md): each claim an export makes that an
 * event states is checked against that event, once the evidence itself verified. A recall
 * report's recall against its RecallInitiated, each notice row against its RecallNoticeIssued; a
 * trace's batches, derivations, shipments and inspections against the events they name; an EPCIS
 * export's every event against its record (epcis-export.ts).
 * Bare evidence (GET /v1/events/{id}/proof) backs nothing more than itself.
 */
import type { EvidenceAnswer } from '../../services/common/api/proofs.js';
import type { RecallReport } from '../../services/common/api/recalls.js';
import type { Trace as TraceAnswer } from '../../services/common/api/trace.js';
import { canonicalJson } from '../../services/common/events/fingerprint.js';
import { EVIDENCE_MEMBER } from '../../services/common/epcis/query-document.js';
import { epcisClaims } from './epcis-export.js';
import type { Failure } from './verify-evidence.js';

export type Export =
  | { readonly kind: 'evidence'; readonly evidence: EvidenceAnswer }
  | {
      readonly kind: 'recall report';
      readonly evidence: EvidenceAnswer;
      readonly report: RecallReport;
    }
  | { readonly kind: 'trace'; readonly evidence: EvidenceAnswer; readonly trace: TraceAnswer }
  | {
      readonly kind: 'EPCIS export';
      readonly evidence: EvidenceAnswer;
      readonly document: Record<string, unknown>;
    };

/** Recognises what a file holds; undefined when it carries no evidence to verify. */
export function exportOf(document: unknown): Export | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  const record = document as Record<string, unknown>;
  if (record.format === 'suyuan-evidence/1') {
    return { kind: 'evidence', evidence: document as EvidenceAnswer };
  }
  if (record.type === 'EPCISQueryDocument') {
    const evidence = record[EVIDENCE_MEMBER] as Record<string, unknown> | undefined;
    if (evidence?.format !== 'suyuan-evidence/1') return undefined;
    return {
      kind: 'EPCIS export',
      evidence: evidence as unknown as EvidenceAnswer,
      document: record,
    };
  }
  const evidence = record.evidence as Record<string, unknown> | undefined;
  if (evidence?.format !== 'suyuan-evidence/1') return undefined;
  if ('recall' in record && 'notices' in record) {
    return {
      kind: 'recall report',
      evidence: evidence as unknown as EvidenceAnswer,
      report: document as RecallReport,
    };
  }
  if ('root' in record && 'derivations' in record) {
    return {
      kind: 'trace',
      evidence: evidence as unknown as EvidenceAnswer,
      trace: document as TraceAnswer,
    };
  }
  return undefined;
}

type EventBody = Record<string, unknown>;

const sameSet = (a: readonly unknown[], b: readonly unknown[]) =>
  canonicalJson([...a.map((x) => canonicalJson(x))].sort()) ===
  canonicalJson([...b.map((x) => canonicalJson(x))].sort());

/** The first claim of the export that no verified event backs. */
export function unbackedClaim(exported: Export): Failure | undefined {
  if (exported.kind === 'evidence') return undefined;
  if (exported.kind === 'EPCIS export') return epcisClaims(exported.document, exported.evidence);
  const events = exported.evidence.proofs.flatMap((proof) => (proof.event ? [proof.event] : []));
  return exported.kind === 'trace'
    ? traceClaims(exported.trace, events)
    : recallClaims(exported.report, events);
}

function recallClaims(report: RecallReport, events: readonly EventBody[]): Failure | undefined {
  const { recall } = report;
  const initiated = events.find(
    (event) => event.eventType === 'RecallInitiated' && event.recallId === recall.recallId,
  );
  if (!initiated) {
    return { reason: `no RecallInitiated of recall ${recall.recallId} is in the evidence` };
  }
  const stated = {
    level: initiated.level,
    mode: initiated.mode,
    reason: initiated.reason,
    initiatedBy: initiated.party,
  };
  const claimed = {
    level: recall.level,
    mode: recall.mode,
    reason: recall.reason,
    initiatedBy: recall.initiatedBy,
  };
  if (
    canonicalJson(stated) !== canonicalJson(claimed) ||
    !sameSet(initiated.rootBatchIds as unknown[], recall.rootBatchIds)
  ) {
    return {
      eventId: initiated.eventId as string,
      reason: `the report's recall ${recall.recallId} is not what its RecallInitiated states`,
    };
  }
  for (const row of report.notices) {
    const notice = events.find(
      (event) => event.eventType === 'RecallNoticeIssued' && event.noticeId === row.noticeId,
    );
    if (!notice) {
      return {
        reason: `notice ${row.noticeId} of the report has no RecallNoticeIssued in the evidence`,
      };
    }
    if (notice.recipient !== row.recipient || !sameSet(notice.batches as unknown[], row.batches)) {
      return {
        eventId: notice.eventId as string,
        reason: `the report's notice ${row.noticeId} (to ${row.recipient}) is not what its RecallNoticeIssued states`,
      };
    }
  }
  return undefined;
}

/** Each line of a trace against the event it names: the fields the trace draws from it. */
function traceClaims(trace: TraceAnswer, events: readonly EventBody[]): Failure | undefined {
  const byId = new Map(events.map((event) => [event.eventId as string, event]));
  const check = (
    what: string,
    eventId: string,
    claimed: object,
    stated: (e: EventBody) => object,
  ) => {
    const event = byId.get(eventId);
    if (!event) return { eventId, reason: `${what} names an event the evidence does not carry` };
    return canonicalJson(claimed) === canonicalJson(stated(event))
      ? undefined
      : { eventId, reason: `${what} is not what the event states` };
  };
  const lineOf = (event: EventBody, batchId: string) =>
    ((event.lines ?? event.inputs ?? []) as EventBody[]).find((line) => line.batchId === batchId) ??
    null;
  const failures = [
    ...trace.batches.flatMap((batch) =>
      batch.eventId
        ? [
            check(
              `batch ${batch.batchId}`,
              batch.eventId,
              {
                batchId: batch.batchId,
                producer: batch.producer,
                product: batch.product,
                quantity: batch.quantity,
                unit: batch.unit,
              },
              (e) => ({
                batchId: e.batchId,
                producer: e.party,
                product: e.product,
                quantity: e.quantity,
                unit: e.unit,
              }),
            ),
          ]
        : [],
    ),
    ...trace.derivations.map((d) =>
      check(
        `the derivation of ${d.output} from ${d.input}`,
        d.eventId,
        { output: d.output, party: d.party, quantity: d.quantity },
        (e) => ({ output: e.batchId, party: e.party, quantity: lineOf(e, d.input)?.quantity }),
      ),
    ),
    ...trace.shipments.flatMap((s) =>
      s.eventIds.map((eventId) =>
        check(
          `shipment ${s.shipmentId} of ${s.batchId}`,
          eventId,
          { shipmentId: s.shipmentId, from: s.from, to: s.to, line: true },
          (e) =>
            e.eventType === 'BatchShipped'
              ? {
                  shipmentId: e.shipmentId,
                  from: e.party,
                  to: e.to,
                  line: lineOf(e, s.batchId) !== null,
                }
              : {
                  shipmentId: e.shipmentId,
                  from: e.from,
                  to: e.party,
                  line: lineOf(e, s.batchId) !== null,
                },
        ),
      ),
    ),
    ...trace.inspections.map((i) =>
      check(
        `inspection of ${i.batchId}`,
        i.eventId,
        { batchId: i.batchId, inspector: i.inspector, kind: i.kind, result: i.result },
        (e) => ({ batchId: e.batchId, inspector: e.party, kind: e.kind, result: e.result }),
      ),
    ),
  ];
  return failures.find((failure) => failure !== undefined);
}
