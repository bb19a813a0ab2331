import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defectReason,
  readSystemReason,
  samplingReason,
} from '../../../services/recall/recall-reasons.js';

describe('the reasons of the recalls the platform opens', () => {
  it('reads back the parts of every defect reason it writes, whatever the hazard holds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('CRITICAL', 'MAJOR', 'MINOR' as const),
        fc.string({ minLength: 1 }).filter((id) => !id.includes(': ')),
        fc.string(),
        (severity, defectId, hazard) => {
          expect(readSystemReason(defectReason(severity, defectId, hazard))).toEqual({
            kind: 'defect',
            severity,
            defectId,
            hazard,
          });
        },
      ),
    );
  });

  it('reads back a sampling reason, with its findings or without', () => {
    expect(readSystemReason(samplingReason(['melamine 4.1 (limit 1)', 'lead 0.5']))).toEqual({
      kind: 'sampling',
      findings: 'melamine 4.1 (limit 1); lead 0.5',
    });
    expect(readSystemReason(samplingReason([]))).toEqual({ kind: 'sampling', findings: null });
  });

  it('leaves a reason a person wrote as it is', () => {
    for (const reason of ['召回：标签错误', 'CRITICAL issue', 'critical defect D-1: x', '']) {
      expect(readSystemReason(reason)).toEqual({ kind: 'written' });
    }
  });
});
