/**
 * The CBV check of a captured event: every value the CBV defines (bizStep, disposition,
 * business transaction, source and destination types, error reasons, sensor measurement types
 * and alerts) must be a CBV term, or a URI outside the CBV's own namespace (a private
 * vocabulary). The JSON Schema cannot say that a `https://ref.gs1.org/cbv/BizStep-…` URI names
 * an existing step; this does.
 */
import { vocabularyProblem, type VocabularyName } from './cbv.js';
import type { EpcisEvent } from './epcis-event.js';
import type { SchemaProblem } from './schema-check.js';

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

export function vocabularyProblems(event: EpcisEvent): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const check = (name: VocabularyName, value: unknown, path: string) => {
    if (typeof value !== 'string') return;
    const problem = vocabularyProblem(name, value);
    if (problem) problems.push({ path, message: problem });
  };
  check('bizStep', event.bizStep, 'bizStep');
  check('disposition', event.disposition, 'disposition');
  const persistent = record(event.persistentDisposition);
  for (const key of ['set', 'unset']) {
    list(persistent[key]).forEach((value, i) =>
      check('disposition', value, `persistentDisposition.${key}[${i}]`),
    );
  }
  list(event.bizTransactionList).forEach((entry, i) =>
    check('bizTransactionType', record(entry).type, `bizTransactionList[${i}].type`),
  );
  for (const name of ['sourceList', 'destinationList']) {
    list(event[name]).forEach((entry, i) =>
      check('sourceDestType', record(entry).type, `${name}[${i}].type`),
    );
  }
  check('errorReason', record(event.errorDeclaration).reason, 'errorDeclaration.reason');
  list(event.sensorElementList).forEach((element, i) =>
    list(record(element).sensorReport).forEach((report, j) => {
      const path = `sensorElementList[${i}].sensorReport[${j}]`;
      check('measurementType', record(report).type, `${path}.type`);
      check('sensorAlertType', record(report).exception, `${path}.exception`);
      check('component', record(report).component, `${path}.component`);
    }),
  );
  return problems;
}
