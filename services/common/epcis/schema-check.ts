/**
 * Checks documents and events against the official EPCIS 2.0 JSON Schema (kept as data in
 * schemas/epcis/EPCIS-JSON-Schema.json) with ajv, and answers with the problems of each event
 * separately, each naming the field, so a capture can refuse one event and keep the others.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { SCHEMAS_DIR } from '../project-paths.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export interface SchemaProblem {
  /** JSON-pointer-like path within the checked value, e.g. `epcList[0]`; '' for the value itself. */
  readonly path: string;
  readonly message: string;
}

export interface DocumentProblems {
  /** Problems outside the events: the document itself is unusable. */
  readonly document: SchemaProblem[];
  /** Problems of each event, by its index in the event list. */
  readonly events: Map<number, SchemaProblem[]>;
}

let validators: { document: ValidateFunction; event: ValidateFunction } | undefined;

function compile() {
  const schema = JSON.parse(
    readFileSync(join(SCHEMAS_DIR, 'epcis', 'EPCIS-JSON-Schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  ajv.addSchema(schema);
  const id = String(schema.$id);
  return {
    document: ajv.compile({ $ref: id }),
    event: ajv.compile({ $ref: `${id}#/definitions/EPCIS-Document-Event` }),
  };
}

function compiled() {
  validators ??= compile();
  return validators;
}

/** `/epcisBody/eventList/3/epcList/0` → ['epcisBody', 'eventList', '3', 'epcList', '0']. */
const steps = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));

function pathText(parts: readonly string[]): string {
  return parts.reduce(
    (text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
}

const inAlternative = (error: ErrorObject) => /\/(anyOf|oneOf)\//.test(error.schemaPath);

/**
 * ajv's "must match then/anyOf" wrappers only repeat their causes, so they are dropped. Of an
 * alternative (epcList or quantityList or …) whose branches all failed, a missing field is only
 * news when nothing inside the object failed (a field that is there but wrong is the likelier
 * intent); the failures of one field across branches read as one.
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((e) => !['if', 'anyOf', 'oneOf'].includes(e.keyword));
  return kept.filter(
    (error) =>
      !(error.keyword === 'required' && inAlternative(error)) ||
      !kept.some((other) => other.instancePath.startsWith(`${error.instancePath}/`)),
  );
}

function fieldPath(error: ErrorObject, skip: number): string {
  const parts = steps(error.instancePath).slice(skip);
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  if (error.keyword === 'additionalProperties') parts.push(String(params.additionalProperty));
  if (error.keyword === 'required') parts.push(String(params.missingProperty));
  return pathText(parts);
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not an EPCIS field';
  return error.message ?? 'is invalid';
}

function problems(errors: readonly ErrorObject[], skip: number): SchemaProblem[] {
  const byPath = new Map<string, string[]>();
  for (const error of relevant(errors)) {
    const path = fieldPath(error, skip);
    const messages = byPath.get(path) ?? [];
    const message = messageOf(error);
    if (!messages.includes(message)) messages.push(message);
    byPath.set(path, messages);
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join(', or ') }));
}

/** Checks a whole EPCISDocument or EPCISQueryDocument, problems sorted by event. */
export function checkDocument(document: unknown): DocumentProblems {
  const validate = compiled().document;
  const result: DocumentProblems = { document: [], events: new Map() };
  if (validate(document)) return result;
  const byEvent = new Map<number, ErrorObject[]>();
  const other: ErrorObject[] = [];
  for (const error of validate.errors ?? []) {
    const parts = steps(error.instancePath);
    const at = eventIndexOf(parts);
    if (at === undefined) other.push(error);
    else byEvent.set(at.index, [...(byEvent.get(at.index) ?? []), { ...error }]);
  }
  result.document.push(...problems(other, 0));
  for (const [index, errors] of byEvent) {
    const skip = eventIndexOf(steps(errors[0]?.instancePath ?? ''))?.depth ?? 0;
    result.events.set(index, problems(errors, skip));
  }
  return result;
}

/** Where an event of a document starts in an error's path, if the error is inside one. */
function eventIndexOf(parts: readonly string[]): { index: number; depth: number } | undefined {
  const at = parts.indexOf('eventList');
  const index = parts[at + 1];
  if (at < 0 || index === undefined || !/^\d+$/.test(index)) return undefined;
  return { index: Number(index), depth: at + 2 };
}

/** Checks one event (as POST /events takes it). */
export function checkEvent(event: unknown): SchemaProblem[] {
  const validate = compiled().event;
  return validate(event) ? [] : problems(validate.errors ?? [], 0);
}
