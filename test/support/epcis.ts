/**
 * EPCIS over HTTP for the tests: documents, capture, queries that wait for the projector, and
 * the checks that every query answer is an EPCISQueryDocument the official JSON Schema accepts
 * and every JSON answer is what the served API document says.
 */
import { expect } from 'vitest';
import { SUYUAN_NAMESPACE } from '../../services/common/epcis/epcis-event.js';
import { checkDocument } from '../../services/common/epcis/schema-check.js';
import { answerCheckFor, type AnswerCheck } from './answer-schemas.js';
import type { TestPlatform } from './platform.js';
import { pollUntil } from './poll.js';

export const EPCIS_CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { suyuan: SUYUAN_NAMESPACE },
];

export type EpcisJson = Record<string, unknown>;

export function epcisDocument(events: readonly EpcisJson[], extra: EpcisJson = {}): EpcisJson {
  return {
    '@context': EPCIS_CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-11-20T00:00:00Z',
    epcisBody: { eventList: events },
    ...extra,
  };
}

export interface HttpAnswer<T = EpcisJson> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export async function http<T = EpcisJson>(
  platform: TestPlatform,
  method: string,
  path: string,
  options: {
    key?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const body =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] ??= 'application/ld+json';
  const response = await fetch(`${platform.url}${path}`, { method, headers, body });
  const text = await response.text();
  const answer = (text ? JSON.parse(text) : undefined) as T;
  // JSON answers (jobs, refusals) are held to the served API document, as every e2e answer is;
  // EPCIS documents (application/ld+json) to the official schema, by query() below.
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
    (await answerCheckOf(platform.url))(method, path, response.status, answer);
  }
  return { status: response.status, headers: response.headers, body: answer };
}

const answerChecks = new Map<string, Promise<AnswerCheck>>();
function answerCheckOf(url: string): Promise<AnswerCheck> {
  let check = answerChecks.get(url);
  if (!check) {
    check = answerCheckFor(url);
    answerChecks.set(url, check);
    check.catch(() => answerChecks.delete(url));
  }
  return check;
}

export interface CaptureJob {
  captureID: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: string;
  errors: Array<{
    type: string;
    title: string;
    status: number;
    index: number;
    path: string;
    detail: string;
  }>;
  events: Array<{ index: number; eventID: string; status: string }>;
  warnings: Array<{ index: number; path: string; id: string; detail: string }>;
}

/** Captures a document and returns its job, after checking the 202 and the job's Location. */
export async function capture(
  platform: TestPlatform,
  key: string,
  document: EpcisJson,
  headers: Record<string, string> = {},
): Promise<CaptureJob> {
  const answer = await http<CaptureJob>(platform, 'POST', '/epcis/capture', {
    key,
    body: document,
    headers,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const location = answer.headers.get('location') ?? '';
  expect(location).toBe(`/epcis/capture/${answer.body.captureID}`);
  const job = await http<CaptureJob>(platform, 'GET', location, { key });
  expect(job.status).toBe(200);
  expect(job.body).toEqual(answer.body);
  return job.body;
}

export function eventsOf(document: EpcisJson): EpcisJson[] {
  const body = document.epcisBody as { queryResults: { resultsBody: { eventList: EpcisJson[] } } };
  return body.queryResults.resultsBody.eventList;
}

/** A query answer, checked to be an EPCISQueryDocument the official schema accepts. */
export async function query(
  platform: TestPlatform,
  key: string,
  queryString = '',
): Promise<HttpAnswer & { events: EpcisJson[] }> {
  const answer = await http(platform, 'GET', `/epcis/events${queryString}`, { key });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const problems = checkDocument(answer.body);
  expect(problems.document, 'the query document validates').toEqual([]);
  expect([...problems.events], 'every event of the answer validates').toEqual([]);
  expect(answer.body.type).toBe('EPCISQueryDocument');
  return { ...answer, events: eventsOf(answer.body) };
}

/** Polls a query until it answers `count` events (the projector is asynchronous). */
export async function queryUntil(
  platform: TestPlatform,
  key: string,
  queryString: string,
  count: number,
): Promise<EpcisJson[]> {
  return pollUntil(
    async () => {
      const { events } = await query(platform, key, queryString);
      return events.length === count ? events : undefined;
    },
    { what: `${count} events for ${queryString || 'all'}`, timeoutMs: 30_000, intervalMs: 50 },
  );
}
