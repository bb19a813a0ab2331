/**
 * The recall policy: which signals open a recall automatically, and at which level. Read from
 * `SUYUAN_RECALL_POLICY` (JSON) and checked at start.
 */
import { z } from 'zod';

export type RecallLevel = 1 | 2 | 3;
const level = z.union([z.literal(1), z.literal(2), z.literal(3), z.null()]);

export const recallPolicySchema = z.strictObject({
  /** DefectReported severity → level; null records the defect as a risk signal only. */
  defectSeverity: z.strictObject({ CRITICAL: level, MAJOR: level, MINOR: level }),
  /** Level of the recall a failed supervisory sampling (监督抽查) opens; null opens none. */
  failedSupervisorySampling: level,
});

export type RecallPolicy = z.infer<typeof recallPolicySchema>;

/** 食品召回管理办法: severe harm → level 1, ordinary harm → level 2, labelling → level 3. */
export const DEFAULT_RECALL_POLICY: RecallPolicy = Object.freeze({
  defectSeverity: Object.freeze({ CRITICAL: 1, MAJOR: 2, MINOR: null }),
  failedSupervisorySampling: 2,
});

export function levelForDefect(
  policy: RecallPolicy,
  severity: 'CRITICAL' | 'MAJOR' | 'MINOR',
): RecallLevel | null {
  return policy.defectSeverity[severity];
}

export function levelForInspection(
  policy: RecallPolicy,
  inspection: { kind: string; result: string },
): RecallLevel | null {
  if (inspection.kind !== 'SUPERVISORY_SAMPLING' || inspection.result !== 'FAIL') return null;
  return policy.failedSupervisorySampling;
}
