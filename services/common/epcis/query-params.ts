/**
 * The EPCIS 2.0 query parameters Suyuan answers (GET /epcis/events), read from a query string
 * into one filter: values of a parameter are separated by `|` (EPCIS REST binding), identifiers
 * are made canonical, CBV values bare, times UTC. Each parameter's value must match the pattern
 * the API document states for it (so the document and the check agree), and a parameter Suyuan
 * does not answer is refused, naming it, rather than ignored (an ignored filter would answer more
 * than was asked).
 */
import { storableBound } from '../store/storable.js';
import { shortTerm, vocabularies, type VocabularyName } from './cbv.js';
import { canonicalUri, parseGs1Uri } from './gs1-uri.js';
import type { IdsByRole } from './epcis-event.js';

export type MatchRole = keyof IdsByRole;

/** An identifier to match: exactly, or (a class pattern) every identifier under it. */
export interface IdMatch {
  readonly id: string;
  readonly pattern: boolean;
}

export interface EpcisQuery {
  readonly eventTypes?: string[];
  readonly eventTime: { ge?: string; lt?: string };
  readonly recordTime: { ge?: string; lt?: string };
  readonly actions?: string[];
  readonly bizSteps?: string[];
  readonly dispositions?: string[];
  readonly bizLocations?: string[];
  readonly readPoints?: string[];
  readonly transformationIds?: string[];
  readonly eventIds?: string[];
  readonly errorDeclared: boolean;
  readonly errorDeclarationTime: { ge?: string; lt?: string };
  /** Each MATCH_ parameter: the roles it looks in and what it matches. */
  readonly matches: Array<{ roles: MatchRole[]; ids: IdMatch[] }>;
}

/** MATCH_ parameters and the roles (EPCIS 2.0 §8.2.7.1) each searches. */
const MATCH: Record<string, MatchRole[]> = {
  MATCH_epc: ['epc'],
  MATCH_parentID: ['parentID'],
  MATCH_inputEPC: ['inputEPC'],
  MATCH_outputEPC: ['outputEPC'],
  MATCH_anyEPC: ['epc', 'parentID', 'inputEPC', 'outputEPC'],
  MATCH_epcClass: ['epcClass'],
  MATCH_inputEPCClass: ['inputEPCClass'],
  MATCH_outputEPCClass: ['outputEPCClass'],
  MATCH_anyEPCClass: ['epcClass', 'inputEPCClass', 'outputEPCClass'],
};

const EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransformationEvent',
  'TransactionEvent',
  'AssociationEvent',
];

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const oneOf = (values: readonly string[]) => `(${values.map(escaped).join('|')})`;
/** Values separated by `|` (EPCIS REST binding), each of the form `item`, none empty. */
const listOf = (item: string) => `^${item}(\\|${item})*$`;

/** A URI: a scheme, a colon and more, without `|` (which separates values) or white space. */
const URI = '[A-Za-z][A-Za-z0-9+.-]*:[^|\\s]+';
/** Any text but `|`. */
const ANY = '[^|]+';
/** RFC 3339, each field in its range (so Date reads every time the pattern takes). */
const TIME =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$';

/** EPCIS 1.x URN namespaces of the CBV vocabularies a query may name (CBV 2.0 §6.1). */
const LEGACY_NAMESPACES: Partial<Record<VocabularyName, string>> = {
  bizStep: 'urn:epcglobal:cbv:bizstep:',
  disposition: 'urn:epcglobal:cbv:disp:',
};

/**
 * A value of a CBV vocabulary as the official query schema takes one: a CBV term, bare or as its
 * URI (web or EPCIS 1.x URN), or a URI outside the CBV's namespaces (a private vocabulary).
 */
function vocabularyValue(name: VocabularyName): string {
  const vocabulary = vocabularies()[name];
  const terms = oneOf([...vocabulary.uriOf.keys()]);
  const namespaces = oneOf([vocabulary.prefix, LEGACY_NAMESPACES[name] ?? vocabulary.prefix]);
  return `(${terms}|${namespaces}${terms}|(?!${namespaces})${URI})`;
}

export interface QueryParameter {
  readonly description: string;
  /** What the whole value must match (ECMAScript and Python read it alike). */
  readonly pattern: string;
  /** The refusal of a value that does not. */
  readonly message: string;
}

const SEPARATED = 'several separated by |';

const listParameter = (description: string, item: string, what: string): QueryParameter => ({
  description: `${description}; ${SEPARATED}`,
  pattern: listOf(item),
  message: `must be ${what}, ${SEPARATED}, none empty`,
});

const timeParameter = (description: string): QueryParameter => ({
  description: `${description}: an RFC 3339 date-time`,
  pattern: TIME,
  message: 'must be an RFC 3339 date-time, e.g. 2026-11-20T08:00:00Z',
});

const vocabularyParameter = (name: VocabularyName, example: string): QueryParameter =>
  listParameter(
    `CBV ${name}, bare (${example}) or as its URI, or a URI of a private vocabulary`,
    vocabularyValue(name),
    `a CBV ${name} (bare or as its URI) or a URI outside the CBV`,
  );

let parameters: Readonly<Record<string, QueryParameter>> | undefined;

/**
 * The parameters Suyuan answers besides paging, as the API document states them: a value that
 * does not match its pattern is refused, naming the parameter.
 */
export function queryParameters(): Readonly<Record<string, QueryParameter>> {
  parameters ??= {
    eventType: listParameter(EVENT_TYPES.join(', '), oneOf(EVENT_TYPES), EVENT_TYPES.join(', ')),
    GE_eventTime: timeParameter('Events at or after this time'),
    LT_eventTime: timeParameter('Events before this time'),
    GE_recordTime: timeParameter('Events recorded at or after this time'),
    LT_recordTime: timeParameter('Events recorded before this time'),
    EQ_action: listParameter(
      'ADD, OBSERVE, DELETE',
      oneOf(['ADD', 'OBSERVE', 'DELETE']),
      'ADD, OBSERVE or DELETE',
    ),
    EQ_bizStep: vocabularyParameter('bizStep', 'shipping'),
    EQ_disposition: vocabularyParameter('disposition', 'in_transit'),
    EQ_readPoint: listParameter('A read point, URN or Digital Link', URI, 'URIs'),
    EQ_bizLocation: listParameter('A business location, URN or Digital Link', URI, 'URIs'),
    EQ_transformationID: listParameter('A transformationID', ANY, 'transformationIDs'),
    EQ_eventID: listParameter('An eventID (a hash ID included)', ANY, 'eventIDs'),
    EXISTS_errorDeclaration: {
      description: 'true: only events whose error was declared',
      pattern: '^(true|false)$',
      message: 'must be true or false',
    },
    GE_errorDeclarationTime: timeParameter('Error declared at or after this time'),
    LT_errorDeclarationTime: timeParameter('Error declared before this time'),
    ...Object.fromEntries(
      Object.entries(MATCH).map(([name, roles]) => [
        name,
        listParameter(
          `An identifier or class pattern (URN or Digital Link) in ${roles.join(', ')}`,
          URI,
          'URIs',
        ),
      ]),
    ),
  };
  return parameters;
}

const PAGING = new Set(['perPage', 'nextPageToken']);
/** The query schema's spellings of two parameters (the OpenAPI's are in queryParameters). */
const ALIASES: Readonly<Record<string, string>> = {
  GE_errorDeclaration_Time: 'GE_errorDeclarationTime',
  LT_errorDeclaration_Time: 'LT_errorDeclarationTime',
};

export class QueryParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The parameter's values, after its whole value was checked against its pattern. */
function values(name: string, raw: unknown): string[] {
  const text = Array.isArray(raw) ? raw.join('|') : raw;
  const parameter = queryParameters()[ALIASES[name] ?? name];
  if (typeof text !== 'string' || text === '') {
    throw new QueryParameterError(name, 'must have a value');
  }
  if (parameter && !new RegExp(parameter.pattern).test(text)) {
    throw new QueryParameterError(name, parameter.message);
  }
  return text.split('|');
}

/**
 * A time as a bound the store reads exactly, in UTC: one beyond the times the store holds selects
 * what the store's edge does (the store could misread a year such as 0000 itself).
 */
function time(name: string, raw: unknown): string {
  const text = Array.isArray(raw) ? raw.join('|') : raw;
  // An unencoded `+` of an offset arrives as a space.
  const value = typeof text === 'string' ? text.replace(/ (\d{2}:\d{2})$/, '+$1') : text;
  const [checked = ''] = values(name, value);
  const millis = Date.parse(checked.toUpperCase());
  return new Date(storableBound(millis)).toISOString();
}

function idMatch(value: string): IdMatch {
  const key = parseGs1Uri(value);
  if (key) return { id: key.canonical, pattern: key.pattern };
  return { id: canonicalUri(value), pattern: false };
}

/** Reads the query string of GET /epcis/events. */
export function parseEpcisQuery(query: Readonly<Record<string, unknown>>): EpcisQuery {
  const result: {
    -readonly [K in keyof EpcisQuery]: EpcisQuery[K];
  } = {
    eventTime: {},
    recordTime: {},
    errorDeclared: false,
    errorDeclarationTime: {},
    matches: [],
  };
  for (const [name, raw] of Object.entries(query)) {
    if (PAGING.has(name)) continue;
    const list = () => values(name, raw);
    switch (ALIASES[name] ?? name) {
      case 'eventType':
        result.eventTypes = list();
        break;
      case 'GE_eventTime':
        result.eventTime.ge = time(name, raw);
        break;
      case 'LT_eventTime':
        result.eventTime.lt = time(name, raw);
        break;
      case 'GE_recordTime':
        result.recordTime.ge = time(name, raw);
        break;
      case 'LT_recordTime':
        result.recordTime.lt = time(name, raw);
        break;
      case 'EQ_action':
        result.actions = list();
        break;
      case 'EQ_bizStep':
        result.bizSteps = list().map((value) => shortTerm('bizStep', value));
        break;
      case 'EQ_disposition':
        result.dispositions = list().map((value) => shortTerm('disposition', value));
        break;
      case 'EQ_bizLocation':
        result.bizLocations = list().map(canonicalUri);
        break;
      case 'EQ_readPoint':
        result.readPoints = list().map(canonicalUri);
        break;
      case 'EQ_transformationID':
        result.transformationIds = list();
        break;
      case 'EQ_eventID':
        result.eventIds = list();
        break;
      case 'EXISTS_errorDeclaration':
        result.errorDeclared = list()[0] === 'true';
        break;
      case 'GE_errorDeclarationTime':
        result.errorDeclarationTime.ge = time(name, raw);
        break;
      case 'LT_errorDeclarationTime':
        result.errorDeclarationTime.lt = time(name, raw);
        break;
      default: {
        const roles = MATCH[name];
        if (!roles) throw new QueryParameterError(name, 'is not a query parameter Suyuan answers');
        result.matches.push({ roles, ids: list().map(idMatch) });
      }
    }
  }
  return result;
}
