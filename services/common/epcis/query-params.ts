/**
 * The EPCIS 2.0 query parameters Suyuan answers (GET /epcis/events), read from a query string
 * into one filter: values of a parameter are separated by `|` (EPCIS REST binding), identifiers
 * are made canonical, CBV values bare, times UTC. A parameter Suyuan does not answer is refused,
 * naming it, rather than ignored (an ignored filter would answer more than was asked).
 */
import { shortTerm } from './cbv.js';
import { canonicalTime } from './canonical-values.js';
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

/** The parameters Suyuan answers besides paging, as the API document describes them. */
export const QUERY_PARAMETERS: Readonly<Record<string, string>> = {
  eventType:
    'ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent, AssociationEvent',
  GE_eventTime: 'Events at or after this time',
  LT_eventTime: 'Events before this time',
  GE_recordTime: 'Events recorded at or after this time',
  LT_recordTime: 'Events recorded before this time',
  EQ_action: 'ADD, OBSERVE, DELETE',
  EQ_bizStep: 'CBV bizStep, bare (shipping) or full',
  EQ_disposition: 'CBV disposition, bare or full',
  EQ_readPoint: 'A read point, URN or Digital Link',
  EQ_bizLocation: 'A business location, URN or Digital Link',
  EQ_transformationID: 'A transformationID',
  EQ_eventID: 'An eventID (a hash ID included)',
  EXISTS_errorDeclaration: 'Only events whose error was declared',
  GE_errorDeclarationTime: 'Error declared at or after this time',
  LT_errorDeclarationTime: 'Error declared before this time',
  ...Object.fromEntries(
    Object.entries(MATCH).map(([name, roles]) => [
      name,
      `An identifier or class pattern (URN or Digital Link) in ${roles.join(', ')}`,
    ]),
  ),
};

const PAGING = new Set(['perPage', 'nextPageToken']);

export class QueryParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

const EVENT_TYPES = new Set([
  'ObjectEvent',
  'AggregationEvent',
  'TransformationEvent',
  'TransactionEvent',
  'AssociationEvent',
]);

function values(name: string, raw: unknown): string[] {
  const text = Array.isArray(raw) ? raw.join('|') : raw;
  if (typeof text !== 'string' || text === '') {
    throw new QueryParameterError(name, 'must have a value');
  }
  return text.split('|').filter((value) => value !== '');
}

function time(name: string, raw: unknown): string {
  // An unencoded `+` of an offset arrives as a space.
  const value = (values(name, raw)[0] ?? '').replace(/ (\d{2}:?\d{2})$/, '+$1');
  const canonical = canonicalTime(value);
  if (!/^\d{4}-\d{2}-\d{2}T.*Z$/.test(canonical) || Number.isNaN(Date.parse(canonical))) {
    throw new QueryParameterError(name, 'must be a date-time, e.g. 2026-11-20T08:00:00Z');
  }
  return canonical;
}

function idMatch(name: string, value: string): IdMatch {
  const key = parseGs1Uri(value);
  if (key) return { id: key.canonical, pattern: key.pattern };
  if (!value.includes(':')) throw new QueryParameterError(name, `${value} is not a URI`);
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
    switch (name) {
      case 'eventType': {
        const types = list();
        const unknown = types.find((type) => !EVENT_TYPES.has(type));
        if (unknown) throw new QueryParameterError(name, `unknown event type ${unknown}`);
        result.eventTypes = types;
        break;
      }
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
        result.errorDeclared = list()[0] !== 'false';
        break;
      case 'GE_errorDeclarationTime':
      case 'GE_errorDeclaration_Time': // the query schema's spelling; the OpenAPI's is above
        result.errorDeclarationTime.ge = time(name, raw);
        break;
      case 'LT_errorDeclarationTime':
      case 'LT_errorDeclaration_Time':
        result.errorDeclarationTime.lt = time(name, raw);
        break;
      default: {
        const roles = MATCH[name];
        if (!roles) throw new QueryParameterError(name, 'is not a query parameter Suyuan answers');
        result.matches.push({ roles, ids: list().map((value) => idMatch(name, value)) });
      }
    }
  }
  return result;
}
