/**
 * Containment over time (AggregationEvent): ADD puts lots, items and inner logistic units into
 * a parent (an SSCC, a pallet), DELETE takes them out (all of them when it names none), OBSERVE
 * confirms them. What a container holds at a time is the fold of its facts up to that time; an
 * inner container is opened in turn. Pure: the facts come from the store and the document.
 */
import type { EpcisEvent } from './epcis-event.js';
import { epcsOf, parentOf, quantitiesOf } from './epcis-event.js';
import { parseGs1Uri } from './gs1-uri.js';
import { EACH, nativeUnit } from './units.js';
import { batchIdOfPlatformUri } from './suyuan-uris.js';

export interface ContainmentFact {
  /** Canonical id of the container. */
  readonly parent: string;
  /** Canonical id of what goes in or out; null for a DELETE that empties the container. */
  readonly child: string | null;
  /** For a lot, how much of it; null for an item or a container (one of it). */
  readonly quantity: number | null;
  readonly unit: string | null;
  readonly action: 'ADD' | 'DELETE';
  /** Event time, UTC RFC 3339. */
  readonly at: string;
  /** Breaks ties of `at` in the order the facts were recorded. */
  readonly order: string;
}

/** What a container holds: a trace object and how much of it. */
export interface Content {
  readonly batchId: string;
  readonly quantity: number;
  readonly unit: string;
}

/** A child that can be inside a container on a trace: an item, a lot, a container, a batch. */
function containable(uri: string): string | undefined {
  const batch = batchIdOfPlatformUri(uri);
  if (batch !== undefined) return batch;
  const key = parseGs1Uri(uri);
  if (!key || !key.checkDigitValid) return undefined;
  return ['sgtin', 'lgtin', 'sscc'].includes(key.kind) ? key.canonical : undefined;
}

/** The facts an AggregationEvent states, in the order it lists its children. */
export function containmentFacts(event: EpcisEvent, at: string, order: string): ContainmentFact[] {
  if (event.type !== 'AggregationEvent') return [];
  const parent = parentOf(event);
  if (!parent) return [];
  const action: ContainmentFact['action'] = event.action === 'DELETE' ? 'DELETE' : 'ADD';
  const fact = (
    child: string | null,
    quantity: number | null,
    unit: string | null,
  ): ContainmentFact => ({
    parent: parent.id,
    child,
    quantity,
    unit,
    action,
    at,
    order,
  });
  const facts: ContainmentFact[] = [];
  for (const epc of epcsOf(event, 'childEPCs')) {
    const child = containable(epc.uri);
    if (child) facts.push(fact(child, null, null));
  }
  for (const element of quantitiesOf(event, 'childQuantityList')) {
    const child = containable(element.uri);
    if (child) facts.push(fact(child, element.quantity ?? null, nativeUnit(element.uom)));
  }
  if (facts.length === 0 && action === 'DELETE') facts.push(fact(null, null, null));
  return facts;
}

const byTime = (a: ContainmentFact, b: ContainmentFact) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.order < b.order ? -1 : a.order > b.order ? 1 : 0;

/** The direct children of `container` at `time`: the fold of its facts up to then. */
function childrenAt(
  container: string,
  time: string,
  facts: readonly ContainmentFact[],
): Map<string, ContainmentFact> {
  const children = new Map<string, ContainmentFact>();
  const relevant = facts.filter((f) => f.parent === container && f.at <= time).sort(byTime);
  for (const fact of relevant) {
    if (fact.action === 'ADD' && fact.child !== null) children.set(fact.child, fact);
    else if (fact.child === null) children.clear();
    else children.delete(fact.child);
  }
  return children;
}

/**
 * Everything inside `container` at `time`, inner containers opened (each once, so a cycle in bad
 * data ends). Items count one each.
 */
export function contentsAt(
  container: string,
  time: string,
  facts: readonly ContainmentFact[],
  opened: Set<string> = new Set(),
): Content[] {
  if (opened.has(container)) return [];
  opened.add(container);
  const contents: Content[] = [];
  for (const [child, fact] of childrenAt(container, time, facts)) {
    const kind = parseGs1Uri(child)?.kind;
    if (kind === 'sscc') contents.push(...contentsAt(child, time, facts, opened));
    else if (kind === 'sgtin') contents.push({ batchId: child, quantity: 1, unit: EACH });
    else if (fact.quantity !== null) {
      contents.push({ batchId: child, quantity: fact.quantity, unit: fact.unit ?? EACH });
    }
  }
  return contents;
}
