/**
 * Conformance with the official GS1 artefacts in ../shared/epcis (see test/support/shared-epcis.ts;
 * skipped, saying so, where they are absent): every official example and hash-vector document is
 * captured without a server error; the events with trace meaning show on the traces of their
 * lots and items; every event is stored and answered by the query, in EPCISQueryDocuments the
 * official JSON Schema accepts — with the evidence extension too, which the offline verifier
 * passes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUri } from '../../services/common/epcis/gs1-uri.js';
import { checkDocument } from '../../services/common/epcis/schema-check.js';
import { runVerify } from '../../tools/verify/verify-command.js';
import {
  capture,
  eventsOf,
  http,
  query,
  queryUntil,
  type CaptureJob,
  type EpcisJson,
} from '../support/epcis.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { readShared, SHARED_EPCIS_ABSENT, sharedFiles } from '../support/shared-epcis.js';

interface Trace {
  batches: Array<{ batchId: string; producer: string | null }>;
  derivations: Array<{ input: string; output: string }>;
  shipments: Array<{ batchId: string; from: string; to: string; quantity: number; unit: string }>;
  unresolvedLinks?: Array<{ epcisEventId: string; path: string; id: string }>;
}

let platform: TestPlatform;
const keys: Record<string, string> = {};
const jobs = new Map<string, CaptureJob>();
const documents = [
  ...sharedFiles('examples', '.jsonld').map((file) => ['examples', file] as const),
  ...sharedFiles('hash-vectors', '.jsonld').map((file) => ['hash-vectors', file] as const),
];

async function trace(id: string): Promise<Trace> {
  const answer = await platform.request<Trace>(
    'GET',
    `/v1/batches/${encodeURIComponent(canonicalUri(id))}/trace`,
    { key: keys.samr },
  );
  expect(answer.status, `${id}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
}

describe.skipIf(SHARED_EPCIS_ABSENT !== undefined)('the official EPCIS examples', () => {
  beforeAll(async () => {
    platform = await startTestPlatform();
    // The capturing company owns the PGLN its examples name as source; the other is a customer.
    for (const [partyId, roles, identifiers] of [
      ['acme', ['submitter'], ['urn:epc:id:pgln:4012345.00225']],
      ['customer', ['submitter'], ['urn:epc:id:pgln:0614141.00777']],
      ['samr', ['regulator'], []],
    ] as const) {
      const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
        key: TEST_ADMIN_KEY,
        body: { partyId, name: partyId, roles, identifiers },
      });
      expect(answer.status).toBe(201);
      keys[partyId] = answer.body.apiKey;
    }
    for (const [dir, file] of documents) {
      // That example is a receipt at 0614141.00777: its receiver records it.
      const party = file === 'object_event_all_possible_fields.jsonld' ? 'customer' : 'acme';
      const document = JSON.parse(readShared(dir, file)) as EpcisJson;
      jobs.set(file, await capture(platform, keys[party]!, document));
    }
  }, 180_000);
  afterAll(() => platform?.stop());

  it('captures every document without a server error, and every event in it', () => {
    expect(documents.length).toBeGreaterThanOrEqual(18);
    for (const [file, job] of jobs) {
      expect(job.errors, file).toEqual([]);
      expect(job.success, file).toBe(true);
      for (const event of job.events)
        expect(['accepted', 'duplicate'], file).toContain(event.status);
    }
  });

  it('answers every captured event by its eventID, as it came', async () => {
    for (const [file, job] of jobs) {
      for (const { eventID } of job.events) {
        const events = await queryUntil(
          platform,
          keys.samr!,
          `?EQ_eventID=${encodeURIComponent(eventID)}`,
          1,
        );
        expect(events[0]?.eventID, file).toBe(eventID);
      }
    }
  });

  it('puts the shipments and receipts of items on their traces (9.6.1)', async () => {
    const item = 'urn:epc:id:sgtin:0614141.107346.2018';
    const { shipments } = await trace(item);
    expect(shipments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          batchId: canonicalUri(item),
          from: 'acme',
          quantity: 1,
          unit: 'EA',
        }),
      ]),
    );
  });

  it('receives a lot with its quantity from an aggregation (9.6.3)', async () => {
    const lot = 'urn:epc:class:lgtin:4012345.012345.998877';
    const { shipments } = await trace(lot);
    expect(shipments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ batchId: canonicalUri(lot), quantity: 200.5, unit: 'kg' }),
      ]),
    );
  });

  it('derives every output of a transformation from every input (9.6.4)', async () => {
    const output = 'urn:epc:id:sgtin:4012345.077889.25';
    const { derivations, batches } = await trace(output);
    const inputs = derivations
      .filter((edge) => edge.output === canonicalUri(output))
      .map((edge) => edge.input);
    expect(inputs.sort()).toEqual(
      [
        'urn:epc:id:sgtin:4012345.011122.25',
        'urn:epc:id:sgtin:4000001.065432.99886655',
        'urn:epc:class:lgtin:4012345.011111.4444',
        'urn:epc:class:lgtin:0614141.077777.987',
      ]
        .map(canonicalUri)
        .sort(),
    );
    expect(batches.find((batch) => batch.batchId === canonicalUri(output))?.producer).toBe('acme');
  });

  it('keeps the class pattern among those inputs as an unresolved link, in the job and on the trace', async () => {
    const job = jobs.get('Example_9.6.4-TransformationEvent.jsonld');
    const link = {
      path: 'inputQuantityList[2].epcClass',
      id: 'https://id.gs1.org/01/04012345666663',
    };
    expect(job?.warnings).toEqual([expect.objectContaining(link)]);
    // The store holds the links a moment after the serving index answers the trace.
    const links = await pollUntil(
      async () => (await trace('urn:epc:id:sgtin:4012345.077889.25')).unresolvedLinks,
      { what: 'the unresolved link on the trace of 9.6.4’s output', timeoutMs: 30_000 },
    );
    expect(links).toEqual([
      expect.objectContaining({ ...link, epcisEventId: job?.events[0]?.eventID }),
    ]);
  });

  it('answers queries over all of it with documents the official schema accepts', async () => {
    const all = await query(platform, keys.samr!, '?perPage=1000');
    expect(all.events.length).toBeGreaterThanOrEqual(15);
    for (const eventType of [
      'ObjectEvent',
      'AggregationEvent',
      'TransformationEvent',
      'TransactionEvent',
      'AssociationEvent',
    ]) {
      const { events } = await query(platform, keys.samr!, `?eventType=${eventType}`);
      expect(events.length, eventType).toBeGreaterThan(0);
      expect(events.every((event) => event.type === eventType)).toBe(true);
    }
    const declared = await query(platform, keys.samr!, '?EXISTS_errorDeclaration=true');
    expect(declared.events.length).toBeGreaterThan(0);
    expect(declared.events.every((event) => event.errorDeclaration !== undefined)).toBe(true);
    const sensors = await query(platform, keys.samr!, '?EQ_bizStep=inspecting');
    expect(sensors.events.some((event) => Array.isArray(event.sensorElementList))).toBe(true);
  });

  it('answers with its evidence an extension the official schema accepts, which verifies', async () => {
    const answer = await pollUntil(
      async () => {
        const page = await http(platform, 'GET', '/epcis/events?perPage=1000&evidence=true', {
          key: keys.samr,
        });
        return page.status === 503 ? undefined : page;
      },
      { what: 'a checkpoint over every captured event', timeoutMs: 30_000 },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const problems = checkDocument(answer.body);
    expect(problems.document, 'the query document validates').toEqual([]);
    expect([...problems.events], 'every event of the answer validates').toEqual([]);
    expect(eventsOf(answer.body).length).toBeGreaterThanOrEqual(15);
    const file = join(platform.dataDir, 'epcis-export.json');
    await writeFile(file, JSON.stringify(answer.body));
    const verdict = await runVerify(['verify', file]);
    expect(verdict.lines.join('\n')).toMatch(/^verified EPCIS export: \d+ events/);
    expect(verdict.code).toBe(0);
  });

  it('refuses a query parameter it does not answer, naming it', async () => {
    const answer = await http(platform, 'GET', '/epcis/events?EQ_quantity=3', { key: keys.samr });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/^EQ_quantity:/);
  });
});
