/**
 * The reasons the platform writes on the recalls it opens itself — after a defect report, after a
 * failed supervisory sampling — written and read in this one place: the recall service writes them
 * into RecallInitiated (the log keeps the text), and the recall views read them back into parts
 * (`reasonParts`), which a client words in its viewer's language. A reason a person wrote is
 * `written`, shown as it is.
 */
import type { DefectSeverity, SystemReason } from '../common/api/recalls.js';

/** The reason names no party: it reaches every recipient, each of whom sees one step around. */
export const defectReason = (severity: DefectSeverity, defectId: string, hazard: string): string =>
  `${severity} defect ${defectId}: ${hazard}`;

export const samplingReason = (findings: readonly string[]): string =>
  `failed supervisory sampling${findings.length > 0 ? `: ${findings.join('; ')}` : ''}`;

// A defect id may hold spaces; it is read up to the first ": " (an id holding one is split there).
const DEFECT = /^(CRITICAL|MAJOR|MINOR) defect ([\s\S]+?): ([\s\S]*)$/;
const SAMPLING = /^failed supervisory sampling(?:: ([\s\S]*))?$/;

/** The parts of a reason the platform wrote; `written` for any other text. */
export function readSystemReason(reason: string): SystemReason {
  const defect = DEFECT.exec(reason);
  if (defect) {
    const [, severity = '', defectId = '', hazard = ''] = defect;
    return { kind: 'defect', severity: severity as DefectSeverity, defectId, hazard };
  }
  const sampling = SAMPLING.exec(reason);
  if (sampling) return { kind: 'sampling', findings: sampling[1] ?? null };
  return { kind: 'written' };
}
