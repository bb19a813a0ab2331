/**
 * The CBV 2.0 vocabularies, read from the official EPCIS 2.0 JSON-LD context kept as data in
 * schemas/epcis/ (each vocabulary there maps a bare term such as `shipping` to its web URI). One
 * source for the capture check, the event hash and the export.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR } from '../project-paths.js';

export type VocabularyName =
  | 'bizStep'
  | 'disposition'
  | 'bizTransactionType'
  | 'sourceDestType'
  | 'errorReason'
  | 'measurementType'
  | 'sensorAlertType'
  | 'component';

export interface Vocabulary {
  /** Bare term → full web URI, e.g. shipping → https://ref.gs1.org/cbv/BizStep-shipping. */
  readonly uriOf: ReadonlyMap<string, string>;
  /** Full web URI → bare term. */
  readonly termOf: ReadonlyMap<string, string>;
  /** The namespace its URIs start with; a URI in it must be one of the terms. */
  readonly prefix: string;
}

type ContextNode = Record<string, unknown>;

const child = (node: unknown, ...path: string[]): ContextNode => {
  let current = node;
  for (const step of path) current = (current as ContextNode | undefined)?.[step];
  if (Array.isArray(current))
    return Object.assign({}, ...(current as ContextNode[])) as ContextNode;
  return (current ?? {}) as ContextNode;
};

export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

let loaded: Record<VocabularyName, Vocabulary> | undefined;

function load(): Record<VocabularyName, Vocabulary> {
  const file = join(SCHEMAS_DIR, 'epcis', 'epcis-context.jsonld');
  const context = (JSON.parse(readFileSync(file, 'utf8')) as { '@context': ContextNode })[
    '@context'
  ];
  const prefixes = { cbv: String(context.cbv), gs1: String(context.gs1) };
  const vocabulary = (terms: ContextNode, prefix: string): Vocabulary => {
    const uriOf = new Map<string, string>();
    for (const [term, compact] of Object.entries(terms)) {
      if (typeof compact !== 'string' || term.startsWith('@')) continue;
      const [ns = '', local = ''] = compact.split(':');
      uriOf.set(term, `${prefixes[ns as keyof typeof prefixes] ?? `${ns}:`}${local}`);
    }
    return { uriOf, termOf: new Map([...uriOf].map(([term, uri]) => [uri, term])), prefix };
  };
  const report = child(context, 'sensorElementList', '@context', 'sensorReport', '@context');
  const cbv = (name: string) => `${prefixes.cbv}${name}-`;
  return {
    bizStep: vocabulary(child(context, 'bizStep', '@context'), cbv('BizStep')),
    disposition: vocabulary(child(context, 'disposition', '@context'), cbv('Disp')),
    bizTransactionType: vocabulary(
      child(context, 'bizTransactionList', '@context', 'type', '@context'),
      cbv('BTT'),
    ),
    sourceDestType: vocabulary(
      child(context, 'sourceList', '@context', 'type', '@context'),
      cbv('SDT'),
    ),
    errorReason: vocabulary(
      child(context, 'errorDeclaration', '@context', 'reason', '@context'),
      cbv('ER'),
    ),
    measurementType: vocabulary(child(report, 'type', '@context'), prefixes.gs1),
    sensorAlertType: vocabulary(child(report, 'exception', '@context'), prefixes.gs1),
    component: vocabulary(child(report, 'component', '@context'), cbv('Comp')),
  };
}

export function vocabularies(): Record<VocabularyName, Vocabulary> {
  loaded ??= load();
  return loaded;
}

/** EPCIS 1.x CBV URNs and their CBV 2.0 web namespaces (CBV 2.0 §6.1). */
const LEGACY_URN_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['urn:epcglobal:cbv:bizstep:', 'BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'Disp-'],
  ['urn:epcglobal:cbv:btt:', 'BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'SDT-'],
  ['urn:epcglobal:cbv:er:', 'ER-'],
];

/** An EPCIS 1.x CBV URN written as its CBV 2.0 web URI; any other text as it is. */
export function webVocabulary(value: string): string {
  for (const [urn, name] of LEGACY_URN_PREFIXES) {
    if (value.startsWith(urn)) return `https://ref.gs1.org/cbv/${name}${value.slice(urn.length)}`;
  }
  return value;
}

/** The full URI of a vocabulary value: a bare CBV term expanded, a URI kept. */
export function expandTerm(name: VocabularyName, value: string): string {
  return vocabularies()[name].uriOf.get(value) ?? webVocabulary(value);
}

/** The bare term of a CBV value given either way, or the value itself for a private URI. */
export function shortTerm(name: VocabularyName, value: string): string {
  const vocabulary = vocabularies()[name];
  return vocabulary.termOf.get(webVocabulary(value)) ?? value;
}

/**
 * Why a value is not in its vocabulary, or undefined when it is: a bare term must be a CBV term,
 * a URI in the CBV namespace must name one; other URIs are private vocabularies and pass.
 */
export function vocabularyProblem(name: VocabularyName, value: string): string | undefined {
  const vocabulary = vocabularies()[name];
  if (vocabulary.uriOf.has(value) || vocabulary.termOf.has(webVocabulary(value))) return undefined;
  if (!value.includes(':')) return `unknown CBV ${name} "${value}"`;
  const uri = webVocabulary(value);
  if (uri.startsWith(vocabulary.prefix)) return `unknown CBV ${name} "${value}"`;
  return undefined;
}
