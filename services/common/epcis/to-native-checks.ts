/**
 * Inspections and recalls.
 *
 * - bizStep inspecting or sampling with disposition conformant / non_conformant is an
 *   InspectionRecorded PASS / FAIL of each batch the event names. Its kind is the
 *   `suyuan:inspectionKind` extension, else SUPERVISORY_SAMPLING (监督抽查) for a regulator and
 *   SELF_CHECK for anyone else; findings are `suyuan:findings`, else every numeric sensor reading;
 *   the report is `suyuan:report`, else the certificationInfo.
 * - disposition recalled is a RecallInitiated of the batches named, under the rules of any
 *   recall: ORDERED when a regulator records it, VOLUNTARY (and only for the producer's own
 *   batches) otherwise; level `suyuan:recallLevel`, else 2.
 */
import type { UnstampedEvent } from '../events/unstamped-event.js';
import { shortTerm } from './cbv.js';
import { bizStepOf, dispositionOf, suyuanExtension } from './epcis-event.js';
import { envelopeOf, type MapRequest } from './mapping-request.js';
import type { Line } from './placement.js';

export const DEFAULT_EPCIS_RECALL_LEVEL = 2;

const KINDS = ['SELF_CHECK', 'SUPERVISORY_SAMPLING', 'THIRD_PARTY', 'IMPORT'] as const;
type Kind = (typeof KINDS)[number];

interface Finding {
  item: string;
  /** A measurement stays a number (InspectionRecorded v2 on); text such as 未检出 stays text. */
  value: string | number;
  limit: string | null;
  unit: string | null;
}

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.length > 0
    ? value.slice(0, max)
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : null;

function kindOf(request: MapRequest): Kind {
  const kind = suyuanExtension(request.event, 'inspectionKind', request.prefixes);
  if (typeof kind === 'string' && (KINDS as readonly string[]).includes(kind)) return kind as Kind;
  return request.caller.regulator ? 'SUPERVISORY_SAMPLING' : 'SELF_CHECK';
}

function extensionFindings(request: MapRequest): Finding[] | undefined {
  const findings = suyuanExtension(request.event, 'findings', request.prefixes);
  if (!Array.isArray(findings)) return undefined;
  return findings.flatMap((finding: unknown) => {
    if (typeof finding !== 'object' || finding === null) return [];
    const read = (name: string) =>
      suyuanExtension(finding as Record<string, unknown>, name, request.prefixes) ??
      (finding as Record<string, unknown>)[name];
    const item = text(read('item'), 256);
    const raw = read('value');
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : text(raw, 256);
    if (item === null || value === null) return [];
    return [{ item, value, limit: text(read('limit'), 256), unit: text(read('unit'), 32) }];
  });
}

/** Every numeric reading of the sensor element list, as a finding. */
function sensorFindings(request: MapRequest): Finding[] {
  const elements = Array.isArray(request.event.sensorElementList)
    ? (request.event.sensorElementList as unknown[])
    : [];
  return elements.flatMap((element) => {
    const reports = (element as { sensorReport?: unknown } | null)?.sensorReport;
    return (Array.isArray(reports) ? reports : []).flatMap((report: unknown) => {
      const { type, value, uom } = (report ?? {}) as Record<string, unknown>;
      if (typeof value !== 'number' || !Number.isFinite(value)) return [];
      const item = typeof type === 'string' ? shortTerm('measurementType', type) : 'reading';
      return [{ item: item.slice(0, 256), value, limit: null, unit: text(uom, 32) }];
    });
  });
}

function reportOf(request: MapRequest): string | null {
  const report = suyuanExtension(request.event, 'report', request.prefixes);
  if (typeof report === 'string' && report) return report.slice(0, 1024);
  const certification = request.event.certificationInfo;
  const first: unknown = Array.isArray(certification) ? certification[0] : certification;
  return typeof first === 'string' ? first.slice(0, 1024) : null;
}

export function inspectionsOf(request: MapRequest, lines: readonly Line[]): UnstampedEvent[] {
  const bizStep = bizStepOf(request.event);
  const disposition = dispositionOf(request.event);
  if (bizStep !== 'inspecting' && bizStep !== 'sampling') return [];
  if (disposition !== 'conformant' && disposition !== 'non_conformant') return [];
  const standard = suyuanExtension(request.event, 'standard', request.prefixes);
  const findings = (extensionFindings(request) ?? sensorFindings(request)).slice(0, 500);
  return lines.map((line) => ({
    eventType: 'InspectionRecorded' as const,
    ...envelopeOf(request, `inspected/${line.batchId}`),
    epcisEventId: request.epcisEventId,
    inspectionId: null,
    batchId: line.batchId,
    kind: kindOf(request),
    result: disposition === 'conformant' ? ('PASS' as const) : ('FAIL' as const),
    findings,
    standard: text(standard, 256),
    report: reportOf(request),
    hazard: null,
  }));
}

export function recallOf(request: MapRequest, lines: readonly Line[]): UnstampedEvent | undefined {
  if (dispositionOf(request.event) !== 'recalled' || lines.length === 0) return undefined;
  const extension = (name: string) => suyuanExtension(request.event, name, request.prefixes);
  const level = extension('recallLevel');
  const envelope = envelopeOf(request, 'recall');
  return {
    eventType: 'RecallInitiated',
    ...envelope,
    epcisEventId: request.epcisEventId,
    recallId: text(extension('recallId'), 128) ?? `RC-${envelope.eventId}`,
    rootBatchIds: [...new Set(lines.map((line) => line.batchId))],
    level: level === 1 || level === 2 || level === 3 ? level : DEFAULT_EPCIS_RECALL_LEVEL,
    mode: request.caller.regulator ? 'ORDERED' : 'VOLUNTARY',
    reason:
      text(extension('recallReason'), 2000) ??
      `EPCIS ${String(request.event.type)} ${request.epcisEventId}: disposition recalled`.slice(
        0,
        2000,
      ),
  };
}
