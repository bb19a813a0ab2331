/**
 * The late join of transformations: the events of one transformation (sharing a
 * transformationID) may come in any order, in one document or several, and an error declaration
 * may take one back; what stands at the end is what the transformation as a whole says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptureKnowledge,
  NO_STORE_FACTS,
  type ProducedOutput,
  type StoreFacts,
} from '../../../../services/common/epcis/capture-knowledge.js';
import type { EpcisEvent } from '../../../../services/common/epcis/epcis-event.js';
import { canonicalUri } from '../../../../services/common/epcis/gs1-uri.js';
import type { Line } from '../../../../services/common/epcis/placement.js';
import { mapEpcisEvent, type MappedEvent } from '../../../../services/common/epcis/to-native.js';
import type { UnstampedEvent } from '../../../../services/common/events/unstamped-event.js';

const RUN = 'urn:uuid:run-1';
const lot = (name: string) => `urn:epc:class:lgtin:6901234.056789.${name}`;
const batch = (name: string) => canonicalUri(lot(name));
type Produced = Extract<UnstampedEvent, { eventType: 'BatchProduced' }>;

interface Named {
  readonly id: string;
  readonly event: EpcisEvent;
}

const step = (id: string, fields: Record<string, unknown>): Named => ({
  id,
  event: {
    type: 'TransformationEvent',
    eventTime: '2026-11-21T10:00:00Z',
    eventTimeZoneOffset: '+00:00',
    transformationID: RUN,
    ...fields,
  },
});
const inputs = (id: string, ...names: string[]) =>
  step(id, {
    inputQuantityList: names.map((name) => ({ epcClass: lot(name), quantity: 10, uom: 'KGM' })),
  });
const outputs = (id: string, ...names: string[]) =>
  step(id, {
    outputQuantityList: names.map((name) => ({ epcClass: lot(name), quantity: 5, uom: 'KGM' })),
  });
const declared = ({ id, event }: Named): Named => ({
  id,
  event: {
    ...event,
    errorDeclaration: { declarationTime: '2026-11-22T00:00:00Z', reason: 'incorrect_data' },
  },
});

/**
 * The log as far as these tests need it: every native of every document, and what the store
 * knows again after the projector stored them (store-facts.ts reads the same from ClickHouse:
 * inputs as named, productions nothing retracted, what each event derived).
 */
class Log {
  readonly natives: UnstampedEvent[] = [];
  private readonly inputs = new Map<string, Line[]>();
  private readonly derived = new Map<string, { party: string; eventIds: string[] }>();
  private readonly declaredIds = new Set<string>();

  /** Maps one document, as capture does, and appends what it derived. */
  capture(events: readonly Named[], party = 'plant'): MappedEvent[] {
    const knowledge = new CaptureKnowledge(this.facts());
    const mapped = events.map(({ id, event }) => {
      const one = mapEpcisEvent({
        event,
        epcisEventId: id,
        caller: { partyId: party, regulator: false },
        prefixes: new Map(),
        knowledge,
      });
      if (one.problems.length === 0 && !one.forbidden) {
        knowledge.learn(one.learned);
        this.record(id, event, one, party);
      }
      return one;
    });
    return mapped;
  }

  private record(id: string, event: EpcisEvent, mapped: MappedEvent, party: string) {
    this.natives.push(...mapped.natives);
    const eventIds = mapped.natives.map((native) => native.eventId);
    if (event.errorDeclaration !== undefined) {
      this.declaredIds.add(id);
      this.derived.set(`${id}/declaration`, { party, eventIds });
      return;
    }
    this.derived.set(id, { party, eventIds });
    const named = mapped.learned.transformation?.inputs ?? [];
    if (named.length > 0) this.inputs.set(id, [...named]);
  }

  /** The productions that stand: produced, and not retracted. */
  standing(): Produced[] {
    const retracted = new Set(
      this.natives.flatMap((n) => (n.eventType === 'EventRetracted' ? [n.targetEventId] : [])),
    );
    return this.natives.filter(
      (n): n is Produced => n.eventType === 'BatchProduced' && !retracted.has(n.eventId),
    );
  }

  facts(): StoreFacts {
    const standing = this.standing();
    const live = new Set(standing.map((p) => p.eventId));
    const ofRun = [...this.derived.values()].flatMap((d) => d.eventIds);
    const outputs: ProducedOutput[] = standing
      .filter((p) => ofRun.includes(p.eventId) && live.has(p.eventId))
      .map(({ eventType: _, epcisEventId: __, ...output }) => output);
    const retractions = new Set(
      this.natives.flatMap((n) => (n.eventType === 'EventRetracted' ? [n.eventId] : [])),
    );
    return {
      ...NO_STORE_FACTS,
      transformationInputs: new Map([
        [RUN, new Map([...this.inputs].filter(([id]) => !this.declaredIds.has(id)))],
      ]),
      transformationOutputs: new Map([[RUN, outputs]]),
      productions: new Map(outputs.map((output) => [output.batchId, output])),
      originals: new Map(
        [...this.derived]
          .filter(([id]) => !id.endsWith('/declaration'))
          .map(([id, { party, eventIds }]) => [
            id,
            { party, derivedEventIds: eventIds.filter((e) => !retractions.has(e)) },
          ]),
      ),
    };
  }
}

/** Each standing output with the batches of its inputs, sorted. */
const outputsWithInputs = (log: Log) =>
  Object.fromEntries(
    log
      .standing()
      .map((p) => [p.batchId, p.inputs.map((i) => i.batchId).sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe('inputs captured after the outputs they went into', () => {
  it('produce the outputs again with them, in the same document', () => {
    const log = new Log();
    const [, late] = log.capture([outputs('urn:uuid:o', 'X'), inputs('urn:uuid:i', 'A')]);
    expect(late?.natives).toEqual([
      expect.objectContaining({ eventType: 'EventRetracted', party: 'plant' }),
      expect.objectContaining({
        eventType: 'BatchProduced',
        batchId: batch('X'),
        party: 'plant',
        quantity: 5,
        unit: 'kg',
        eventTime: '2026-11-21T10:00:00.000Z',
        inputs: [{ batchId: batch('A'), quantity: 10, unit: 'kg' }],
      }),
    ]);
    expect(log.standing()).toHaveLength(1);
  });

  it('produce the outputs again with them across documents, input by input', () => {
    const log = new Log();
    log.capture([outputs('urn:uuid:o', 'X', 'Y')]);
    log.capture([inputs('urn:uuid:i1', 'A')]);
    log.capture([inputs('urn:uuid:i2', 'B', 'A')]);
    expect(outputsWithInputs(log)).toEqual({
      [batch('X')]: [batch('A'), batch('B')],
      [batch('Y')]: [batch('A'), batch('B')],
    });
    expect(log.standing()).toHaveLength(2);
  });

  it('leave another party’s output alone, listed as an unresolved link', () => {
    const log = new Log();
    log.capture([outputs('urn:uuid:o', 'X')], 'plant');
    const [late] = log.capture([inputs('urn:uuid:i', 'A')], 'other');
    expect(late?.natives).toEqual([]);
    expect(late?.unresolved).toEqual([
      { path: 'transformationID', id: batch('X'), reason: expect.stringContaining('plant') },
    ]);
    expect(outputsWithInputs(log)).toEqual({ [batch('X')]: [] });
  });
});

describe('an error declaration of one event of a transformation', () => {
  it('takes back the inputs only it named, producing the outputs again without them', () => {
    const log = new Log();
    log.capture([outputs('urn:uuid:o', 'X'), inputs('urn:uuid:i1', 'A')]);
    log.capture([inputs('urn:uuid:i2', 'B', 'A')]);
    log.capture([declared(inputs('urn:uuid:i2', 'B', 'A'))]);
    expect(outputsWithInputs(log)).toEqual({ [batch('X')]: [batch('A')] });
    log.capture([declared(inputs('urn:uuid:i1', 'A'))]);
    expect(outputsWithInputs(log)).toEqual({ [batch('X')]: [] });
  });

  it('of the outputs’ event leaves them unproduced, though later inputs produced them again', () => {
    const log = new Log();
    log.capture([outputs('urn:uuid:o', 'X')]);
    log.capture([inputs('urn:uuid:i', 'A')]);
    log.capture([declared(outputs('urn:uuid:o', 'X'))]);
    expect(log.standing()).toEqual([]);
    // The transformation still has its input: outputs captured again get it.
    log.capture([outputs('urn:uuid:o2', 'Z')]);
    expect(outputsWithInputs(log)).toEqual({ [batch('Z')]: [batch('A')] });
  });
});

describe('whatever the order and the documents', () => {
  const events = [
    outputs('urn:uuid:o1', 'X'),
    outputs('urn:uuid:o2', 'Y'),
    inputs('urn:uuid:i1', 'A'),
    inputs('urn:uuid:i2', 'B', 'C'),
    inputs('urn:uuid:i3', 'C'),
  ];
  /** What each event names, to say what the transformation as a whole is. */
  const named: Record<string, string[]> = {
    'urn:uuid:i1': ['A'],
    'urn:uuid:i2': ['B', 'C'],
    'urn:uuid:i3': ['C'],
  };
  const order = fc.shuffledSubarray(events, { minLength: events.length });
  const split = fc.tuple(order, fc.array(fc.nat(events.length), { maxLength: 3 }));

  const captureSplit = (log: Log, ordered: readonly Named[], cuts: readonly number[]) => {
    const bounds = [0, ...[...new Set(cuts)].sort((a, b) => a - b), ordered.length];
    for (let i = 1; i < bounds.length; i++) {
      const part = ordered.slice(bounds[i - 1], bounds[i]);
      if (part.length > 0) log.capture(part);
    }
  };

  it('each output stands once, produced from every input', () => {
    fc.assert(
      fc.property(split, ([ordered, cuts]) => {
        const log = new Log();
        captureSplit(log, ordered, cuts);
        const all = [batch('A'), batch('B'), batch('C')];
        expect(outputsWithInputs(log)).toEqual({ [batch('X')]: all, [batch('Y')]: all });
      }),
    );
  });

  it('and after a declaration, each stands as if the declared event never came', () => {
    const declarable = ['urn:uuid:i1', 'urn:uuid:i2', 'urn:uuid:i3'];
    fc.assert(
      fc.property(split, fc.constantFrom(...declarable), ([ordered, cuts], gone) => {
        const log = new Log();
        captureSplit(log, ordered, cuts);
        const original = events.find((e) => e.id === gone) as Named;
        log.capture([declared(original)]);
        const kept = [
          ...new Set(declarable.filter((id) => id !== gone).flatMap((id) => named[id]!)),
        ]
          .map(batch)
          .sort();
        expect(outputsWithInputs(log)).toEqual({ [batch('X')]: kept, [batch('Y')]: kept });
      }),
    );
  });
});
