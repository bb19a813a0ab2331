/**
 * The CBV 2.0 event hash ID (CBV 2.0 §8.9): every field of an event written as `key=value` in a
 * fixed order, lists sorted, values canonical (canonical-values.ts), extensions as
 * `{namespace}localName`; `eventID`, `recordTime` and `errorDeclaration` left out; the SHA-256 of
 * that string as `ni:///sha-256;<hex>?ver=CBV2.0`. A fingerprint of the event, not a signature.
 *
 * Where the standard's wording and the official test vectors differ, the vectors win (they are
 * what other repositories compute): bizTransactionList, sourceList and destinationList are written
 * with the fields outside the fixed order, sorted together with the extensions.
 */
import { createHash } from 'node:crypto';
import { expandTerm, type VocabularyName } from './cbv.js';
import { canonicalTime, canonicalValue } from './canonical-values.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

/** How one field is written: its place in the order and what its value or children are. */
type ValueField = {
  readonly kind: 'value';
  readonly vocabulary?: VocabularyName;
  readonly time?: boolean;
};
type Field =
  | ValueField
  | { readonly kind: 'list'; readonly item: string; readonly of?: Fields }
  | { readonly kind: 'object'; readonly of: Fields };
type Fields = ReadonlyArray<readonly [string, Field]>;

const value = (vocabulary?: VocabularyName): ValueField => ({ kind: 'value', vocabulary });
const time: Field = { kind: 'value', time: true };
const epcs: Field = { kind: 'list', item: 'epc' };
const quantities: Field = {
  kind: 'list',
  item: 'quantityElement',
  of: [
    ['epcClass', value()],
    ['quantity', value()],
    ['uom', value()],
  ],
};

const SENSOR_METADATA: Fields = [
  ['time', time],
  ['startTime', time],
  ['endTime', time],
  ['deviceID', value()],
  ['deviceMetadata', value()],
  ['rawData', value()],
  ['dataProcessingMethod', value()],
  ['bizRules', value()],
];

const SENSOR_REPORT: Fields = [
  ['type', value('measurementType')],
  ['exception', value('sensorAlertType')],
  ['deviceID', value()],
  ['deviceMetadata', value()],
  ['rawData', value()],
  ['dataProcessingMethod', value()],
  ['time', time],
  ['microorganism', value()],
  ['chemicalSubstance', value()],
  ['value', value()],
  ['component', value('component')],
  ['stringValue', value()],
  ['booleanValue', value()],
  ['hexBinaryValue', value()],
  ['uriValue', value()],
  ['minValue', value()],
  ['maxValue', value()],
  ['meanValue', value()],
  ['sDev', value()],
  ['percRank', value()],
  ['percValue', value()],
  ['uom', value()],
  ['coordinateReferenceSystem', value()],
];

/** CBV 2.0 §8.9.2, in order. */
const EVENT_ORDER: Fields = [
  ['eventTime', time],
  ['eventTimeZoneOffset', value()],
  ['certificationInfo', value()],
  ['parentID', value()],
  ['epcList', epcs],
  ['inputEPCList', epcs],
  ['childEPCs', epcs],
  ['quantityList', quantities],
  ['childQuantityList', quantities],
  ['inputQuantityList', quantities],
  ['outputEPCList', epcs],
  ['outputQuantityList', quantities],
  ['action', value()],
  ['transformationID', value()],
  ['bizStep', value('bizStep')],
  ['disposition', value('disposition')],
  [
    'persistentDisposition',
    {
      kind: 'object',
      of: [
        ['set', value('disposition')],
        ['unset', value('disposition')],
      ],
    },
  ],
  ['readPoint', { kind: 'object', of: [['id', value()]] }],
  ['bizLocation', { kind: 'object', of: [['id', value()]] }],
  [
    'sensorElementList',
    {
      kind: 'list',
      item: 'sensorElement',
      of: [
        ['sensorMetadata', { kind: 'object', of: SENSOR_METADATA }],
        ['sensorReport', { kind: 'list', item: '', of: SENSOR_REPORT }],
      ],
    },
  ],
];

/** The lists the vectors write among the extensions; their entries keep `type` first. */
const TYPED_ENTRIES: Record<string, readonly [string, VocabularyName]> = {
  bizTransactionList: ['bizTransaction', 'bizTransactionType'],
  sourceList: ['source', 'sourceDestType'],
  destinationList: ['destination', 'sourceDestType'],
};

const NEVER_HASHED = new Set(['eventID', 'recordTime', 'errorDeclaration', 'type', '@context']);
const COMMENTS = new Set(['comment', 'rdfs:comment']);

const isObject = (json: Json): json is JsonObject =>
  typeof json === 'object' && json !== null && !Array.isArray(json);
const asList = (json: Json): Json[] => (Array.isArray(json) ? json : [json]);
const sorted = (parts: string[]) => [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** What the document says that the hash needs: its namespace prefixes and ignored fields. */
export interface HashContext {
  /** Prefix → namespace URI, from the document's `@context`. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** Event fields (as written, e.g. `example:captureID`) the document asks to leave out. */
  readonly ignoredFields: ReadonlySet<string>;
}

export const EMPTY_HASH_CONTEXT: HashContext = { namespaces: new Map(), ignoredFields: new Set() };

class PreHash {
  constructor(private readonly context: HashContext) {}

  /** `prefix:local` with a known prefix as `{namespace}local`; other names as they are. */
  name(key: string): string {
    const colon = key.indexOf(':');
    const namespace = colon > 0 ? this.context.namespaces.get(key.slice(0, colon)) : undefined;
    return namespace === undefined ? key : `{${namespace}}${key.slice(colon + 1)}`;
  }

  text(json: Json): string {
    if (json === null || json === undefined) return '';
    if (typeof json === 'string') {
      const colon = json.indexOf(':');
      const namespace = colon > 0 ? this.context.namespaces.get(json.slice(0, colon)) : undefined;
      return namespace === undefined ? json : `${namespace}${json.slice(colon + 1)}`;
    }
    return typeof json === 'number' || typeof json === 'boolean'
      ? String(json)
      : JSON.stringify(json);
  }

  scalar(name: string, json: Json, field: ValueField): string {
    let text = this.text(json).trim();
    if (text === '') return '';
    if (field.time) text = canonicalTime(text);
    else if (field.vocabulary) text = canonicalValue(expandTerm(field.vocabulary, text));
    else text = canonicalValue(text);
    return `${name}=${text}`;
  }

  /** The fields of `object` in `order`, then its extensions (sorted), minus `skip`. */
  ordered(object: JsonObject, order: Fields, extensions: boolean): string {
    const parts: string[] = [];
    for (const [key, field] of order) {
      if (object[key] === undefined) continue;
      parts.push(this.field(key, object[key], field));
    }
    if (extensions) parts.push(this.generic(this.extensionsOf(object, order)));
    return parts.join('');
  }

  field(key: string, json: Json, field: Field): string {
    switch (field.kind) {
      case 'value':
        return sorted(asList(json).map((item) => this.scalar(key, item, field))).join('');
      case 'object': {
        const body = isObject(json) ? this.ordered(json, field.of, true) : '';
        return body === '' ? '' : `${key}${body}`;
      }
      case 'list': {
        const items = asList(json).map((item) => {
          if (!field.of) return this.scalar(field.item, item, { kind: 'value' });
          const body = isObject(item) ? this.ordered(item, field.of, true) : '';
          return body === '' ? '' : `${field.item || key}${body}`;
        });
        const body = sorted(items).join('');
        return body === '' ? '' : field.item === '' ? body : `${key}${body}`;
      }
    }
  }

  extensionsOf(object: JsonObject, order: Fields): Array<[string, Json]> {
    const known = new Set(order.map(([key]) => key));
    return Object.entries(object).filter(
      ([key]) =>
        !known.has(key) &&
        !NEVER_HASHED.has(key) &&
        !COMMENTS.has(key) &&
        !this.context.ignoredFields.has(key),
    );
  }

  /** Fields outside the fixed order: `name=value` or `name` + children, sorted. */
  generic(entries: ReadonlyArray<readonly [string, Json]>): string {
    const parts = entries.flatMap(([key, json]) => {
      const typed = TYPED_ENTRIES[key];
      if (typed) return [this.typedList(key, json, typed)];
      return asList(json).map((item) => this.genericOne(key, item));
    });
    return sorted(parts.filter((part) => part !== '')).join('');
  }

  genericOne(key: string, json: Json): string {
    const name = this.name(key);
    if (isObject(json)) {
      const body = this.generic(
        Object.entries(json).filter(
          ([k]) => !COMMENTS.has(k) && !this.context.ignoredFields.has(k),
        ),
      );
      return `${name}${body}`;
    }
    const text = this.text(json).trim();
    return text === '' ? name : `${name}=${canonicalValue(text)}`;
  }

  typedList(key: string, json: Json, [valueKey, vocabulary]: readonly [string, VocabularyName]) {
    const entries = asList(json).map((entry) => {
      if (!isObject(entry)) return '';
      const type =
        entry.type === undefined ? '' : this.scalar('type', entry.type, value(vocabulary));
      const id =
        entry[valueKey] === undefined ? '' : this.scalar(valueKey, entry[valueKey], value());
      return `${type}${id}`;
    });
    const body = sorted(entries).join('');
    return body === '' ? '' : `${key}${body}`;
  }
}

/** The canonical pre-hash string of one event (CBV 2.0 §8.9.2). */
export function eventPreHash(event: JsonObject, context: HashContext = EMPTY_HASH_CONTEXT): string {
  const writer = new PreHash(context);
  const ordered = writer.ordered(event, EVENT_ORDER, false);
  const rest = writer.generic(writer.extensionsOf(event, EVENT_ORDER));
  return `eventType=${String(event.type)}${ordered}${rest}`;
}

/** The event hash ID: `ni:///sha-256;<hex>?ver=CBV2.0`. */
export function eventHashId(event: JsonObject, context: HashContext = EMPTY_HASH_CONTEXT): string {
  const hex = createHash('sha256').update(eventPreHash(event, context), 'utf8').digest('hex');
  return `ni:///sha-256;${hex}?ver=CBV2.0`;
}

/**
 * The hash context of an EPCIS document: the prefixes its `@context` declares, and the fields
 * it lists under a top-level `…:ignoreFields` (the reference implementation's convention for
 * repository-internal fields).
 */
export function hashContextOf(document: JsonObject): HashContext {
  const namespaces = new Map<string, string>();
  for (const entry of asList(document['@context'])) {
    if (!isObject(entry)) continue;
    for (const [prefix, uri] of Object.entries(entry)) {
      if (typeof uri === 'string' && !prefix.startsWith('@')) namespaces.set(prefix, uri);
    }
  }
  const ignoredFields = new Set<string>();
  for (const [key, json] of Object.entries(document)) {
    if (key.endsWith(':ignoreFields') && Array.isArray(json)) {
      for (const field of json) if (typeof field === 'string') ignoredFields.add(field);
    }
  }
  return { namespaces, ignoredFields };
}
