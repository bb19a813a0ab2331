// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
/**
 * A transformation told in several documents: its events, joined by transformationID, come in
 * any order, and an error declaration takes one back; the trace shows what stands. The mapping's
 * rules are unit-tested (test/unit/common/epcis/to-native-transformation.test.ts); this runs them
 * through capture, the projector and what capture reads back from the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUri } from '../../services/common/epcis/gs1-uri.js';
import { capture, epcisDocument, type EpcisJson } from '../support/epcis.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

let platform: TestPlatform;
const keys: Record<string, string> = {};
const lot = (name: string) => canonicalUri(`urn:epc:class:lgtin:6901234.056789.${name}`);

async function register(partyId: string, roles: string[]) {
  const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name: partyId, roles },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  keys[partyId] = answer.body.apiKey;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  await register('plant', ['submitter']);
  await register('samr', ['regulator']);
});
afterAll(() => platform?.stop());

describe('a transformation told in several documents (events joined by transformationID)', () => {
  interface Trace {
    batches: Array<{ batchId: string }>;
    derivations: Array<{ input: string; output: string }>;
  }
  const traceOf = async (batchId: string) => {
    const answer = await platform.request<Trace>(
      'GET',
      `/v1/batches/${encodeURIComponent(batchId)}/trace?direction=upstream`,
      { key: keys.samr },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  /** Polls the output's upstream trace until its inputs are `inputs`. */
  const untilInputs = (output: string, inputs: string[]) =>
    pollUntil(
      async () => {
        const trace = await traceOf(output);
        const found = trace.derivations.map((d) => d.input).sort();
        const produced = trace.batches.some((b) => b.batchId === output);
        return produced && JSON.stringify(found) === JSON.stringify(inputs) ? trace : undefined;
      },
      { what: `${output} made from ${inputs.join(', ') || 'nothing'}`, timeoutMs: 30_000 },
    );
  const transformation = (fields: EpcisJson): EpcisJson => ({
    type: 'TransformationEvent',
    eventTime: '2026-11-21T10:00:00Z',
    eventTimeZoneOffset: '+00:00',
    transformationID: 'urn:uuid:5b1d0e2a-7777-4000-8000-000000000001',
    ...fields,
  });

  it('joins inputs captured after the output, and takes them back when declared in error', async () => {
    const [output, a, b] = [lot('OUT'), lot('A'), lot('B')];
    const kg = (epcClass: string, quantity: number) => ({ epcClass, quantity, uom: 'KGM' });
    const outputsFirst = transformation({
      eventID: 'urn:uuid:5b1d0e2a-7777-4000-8000-0000000000a1',
      outputQuantityList: [kg(output, 50)],
    });
    const inputA = transformation({
      eventID: 'urn:uuid:5b1d0e2a-7777-4000-8000-0000000000a2',
      inputQuantityList: [kg(a, 30)],
    });
    const inputB = transformation({
      eventID: 'urn:uuid:5b1d0e2a-7777-4000-8000-0000000000a3',
      inputQuantityList: [kg(b, 40)],
    });
    for (const event of [outputsFirst, inputA, inputB]) {
      expect((await capture(platform, keys.plant!, epcisDocument([event]))).success).toBe(true);
    }
    await untilInputs(output, [a, b].sort());
    const declared = {
      ...inputA,
      errorDeclaration: { declarationTime: '2026-11-22T00:00:00Z', reason: 'incorrect_data' },
    };
    expect((await capture(platform, keys.plant!, epcisDocument([declared]))).success).toBe(true);
    const trace = await untilInputs(output, [b]);
    expect(trace.batches.filter((batch) => batch.batchId === output)).toHaveLength(1);
  });
});
