/**
 * One way to say "invalid": a refusal of bad input names the field first in its message
 * (`events[0].lines[0].quantity: must be greater than 0`, `maxDepth: must be …`) and lists every
 * problem in `details`; zod's issues become those details through `fieldIssues`, with one path
 * format everywhere.
 */
import type { z } from 'zod';
import { SuyuanError, type FieldIssue } from './errors.js';

/** `['lines', 0, 'quantity']` → `lines[0].quantity`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

/** The problems zod found, one per field; an unknown key is named as a field of its own. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: 'unknown field',
      }));
    }
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return [{ path: formatPath(issue.path), message: missing ? 'is required' : issue.message }];
  });
}

/** Where an issue is: its path, under `events[i]` when it concerns one event of a submission. */
function where(issue: FieldIssue): string {
  if (issue.index === undefined) return issue.path || 'body';
  return issue.path ? `events[${issue.index}].${issue.path}` : `events[${issue.index}]`;
}

/** The refusal of a request: a 400 whose message names the first field, with every issue. */
export function invalidInput(
  issues: readonly FieldIssue[],
  code: 'invalid_request' | 'invalid_event' = 'invalid_request',
): SuyuanError {
  const [first] = issues;
  if (!first) return new SuyuanError(code, 'body: invalid');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new SuyuanError(code, `${where(first)}: ${first.message}${more}`, { details: issues });
}

/** One bad field. */
export const invalidField = (
  path: string,
  message: string,
  code?: 'invalid_request' | 'invalid_event',
): SuyuanError => invalidInput([{ path, message }], code);
