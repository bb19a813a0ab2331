/**
 * Placing what an EPCIS event names on a trace: a serialised item (SGTIN) is a trace object of
 * one EA, a lot (LGTIN) the batch whose id is its Digital Link, a logistic unit (SSCC) whatever
 * it holds at the event's time, `urn:suyuan:batch:` a native batch. A class pattern or a GTIN
 * without a lot cannot be placed: it is kept as an unresolved link, never dropped. An instance
 * id Suyuan has no way to place (a private URI, a wrong check digit) is refused, naming the field.
 */
import type { Content } from './containment.js';
import type { NamedEpc, QuantityElement } from './epcis-event.js';
import { parseGs1Uri } from './gs1-uri.js';
import { batchIdOfPlatformUri } from './suyuan-uris.js';
import { EACH, nativeUnit } from './units.js';

export interface Line {
  readonly batchId: string;
  readonly quantity: number;
  readonly unit: string;
}

export interface UnresolvedLink {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export interface Placement {
  readonly lines: Line[];
  readonly unresolved: UnresolvedLink[];
  readonly problems: FieldProblem[];
}

/** What a container (an SSCC) holds at the event's time. */
export type ContentsOf = (container: string) => readonly Content[];

const NOT_A_TRADE_ITEM =
  'not a trade item (an asset, document, service or location key): kept in the event, on no trace';
const PATTERN = 'a class without a lot or serial: no trace can place it';

function placeInstance(epc: NamedEpc, contentsOf: ContentsOf, out: Placement): void {
  const batch = batchIdOfPlatformUri(epc.uri);
  if (batch !== undefined) {
    out.problems.push({
      path: epc.path,
      message: 'a batch is a class: name it in a quantity list, with its quantity',
    });
    return;
  }
  const key = parseGs1Uri(epc.uri);
  if (!key) {
    out.problems.push({
      path: epc.path,
      message:
        `${epc.uri} cannot be placed on a trace: Suyuan places SGTIN items, SSCC logistic ` +
        'units, LGTIN lots and urn:suyuan:batch: batches',
    });
    return;
  }
  if (!key.checkDigitValid) {
    out.problems.push({ path: epc.path, message: `${epc.uri}: the check digit is wrong` });
    return;
  }
  if (key.kind === 'sgtin') out.lines.push({ batchId: key.canonical, quantity: 1, unit: EACH });
  else if (key.kind === 'sscc') {
    const contents = contentsOf(key.canonical);
    if (contents.length === 0) {
      out.unresolved.push({
        path: epc.path,
        id: key.canonical,
        reason: 'a logistic unit with no known contents at that time',
      });
    }
    out.lines.push(...contents);
  } else {
    out.unresolved.push({
      path: epc.path,
      id: key.canonical,
      reason: key.pattern ? PATTERN : NOT_A_TRADE_ITEM,
    });
  }
}

function placeQuantity(element: QuantityElement, out: Placement): void {
  const platformBatch = batchIdOfPlatformUri(element.uri);
  const key = platformBatch === undefined ? parseGs1Uri(element.uri) : undefined;
  if (platformBatch === undefined && key?.kind !== 'lgtin') {
    const reason = key === undefined ? 'not a GS1 class Suyuan can place' : PATTERN;
    out.unresolved.push({ path: element.path, id: element.id, reason });
    return;
  }
  if (key && !key.checkDigitValid) {
    out.problems.push({ path: element.path, message: `${element.uri}: the check digit is wrong` });
    return;
  }
  const quantityPath = element.path.replace(/\.epcClass$/, '.quantity');
  if (element.quantity === undefined || element.quantity <= 0) {
    out.problems.push({
      path: quantityPath,
      message: `a quantity greater than 0 is needed to place ${element.uri} on a trace`,
    });
    return;
  }
  out.lines.push({
    batchId: platformBatch ?? element.id,
    quantity: element.quantity,
    unit: nativeUnit(element.uom),
  });
}

/** Adds up lines of one batch; two lines of one batch in different units are a problem. */
function mergeLines(lines: readonly Line[], problems: FieldProblem[], path: string): Line[] {
  const merged = new Map<string, Line>();
  for (const line of lines) {
    const seen = merged.get(line.batchId);
    if (!seen) merged.set(line.batchId, line);
    else if (seen.unit !== line.unit) {
      problems.push({
        path,
        message: `${line.batchId} is named in ${seen.unit} and in ${line.unit}; one unit, please`,
      });
    } else merged.set(line.batchId, { ...seen, quantity: seen.quantity + line.quantity });
  }
  return [...merged.values()];
}

/** Places the instances and quantities of one role of an event (what is shipped, input, …). */
export function place(
  instances: readonly NamedEpc[],
  quantities: readonly QuantityElement[],
  contentsOf: ContentsOf,
): Placement {
  const out: Placement = { lines: [], unresolved: [], problems: [] };
  for (const epc of instances) placeInstance(epc, contentsOf, out);
  for (const element of quantities) placeQuantity(element, out);
  const path = instances[0]?.path ?? quantities[0]?.path ?? '';
  return { ...out, lines: mergeLines(out.lines, out.problems, path) };
}
