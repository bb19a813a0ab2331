/**
 * What the evidence of an export must back (docs/proofs.md): each claim an export makes that an
 * event states is checked against that event, once the evidence itself verified. A recall
 * report's recall against its RecallInitiated, each notice row against its RecallNoticeIssued.
 * Bare evidence (GET /v1/events/{id}/proof) backs nothing more than itself.
 */
import type { EvidenceAnswer } from '../../services/common/api/proofs.js';
import type { RecallReport } from '../../services/common/api/recalls.js';
import { canonicalJson } from '../../services/common/events/fingerprint.js';
import type { Failure } from './verify-evidence.js';

export type Export =
  | { readonly kind: 'evidence'; readonly evidence: EvidenceAnswer }
  | {
      readonly kind: 'recall report';
      readonly evidence: EvidenceAnswer;
      readonly report: RecallReport;
    };

/** Recognises what a file holds; undefined when it carries no evidence to verify. */
export function exportOf(document: unknown): Export | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  const record = document as Record<string, unknown>;
  if (record.format === 'suyuan-evidence/1') {
    return { kind: 'evidence', evidence: document as EvidenceAnswer };
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
  return undefined;
}

type EventBody = Record<string, unknown>;

const sameSet = (a: readonly unknown[], b: readonly unknown[]) =>
  canonicalJson([...a.map((x) => canonicalJson(x))].sort()) ===
  canonicalJson([...b.map((x) => canonicalJson(x))].sort());

/** The first claim of the export that no verified event backs. */
export function unbackedClaim(exported: Export): Failure | undefined {
  if (exported.kind === 'evidence') return undefined;
  const events = exported.evidence.proofs.flatMap((proof) => (proof.event ? [proof.event] : []));
  return recallClaims(exported.report, events);
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
