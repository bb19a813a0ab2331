/**
 * A batch id names one batch, produced once: the earliest recorded BatchProduced that is not
 * retracted counts, and ingest refuses any other BatchProduced of the id (409 naming batchId),
 * another party's or the producer's own. Two claims posted at the same moment may both be
 * accepted (each was checked before the other was stored); then every answer follows the one
 * that counts, the same on every read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced, retracted } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

interface Batch {
  producer: string;
  quantity: number;
  timeline: Array<{ eventId: string; eventType: string; party: string; recordedAt: string }>;
}
interface Refusal {
  error: string;
  message: string;
  details?: Array<{ index: number; path: string }>;
}

let platform: TestPlatform;
const keys: Record<string, string> = {};

const post = (party: string, events: unknown[]) => platform.postEvents(keys[party]!, events);
const batch = async (batchId: string) =>
  (await platform.request<Batch>('GET', `/v1/batches/${batchId}`, { key: keys.samr! })).body;
const searched = async (party: string, q: string) =>
  (
    await platform.request<Array<{ batchId: string; producer: string }>>(
      'GET',
      `/v1/batches?q=${q}`,
      { key: keys[party]! },
    )
  ).body;

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const party of ['owner', 'squatter']) keys[party] = await platform.createParty(party);
  keys.samr = await platform.createParty('samr', ['regulator']);
});
afterAll(() => platform?.stop());

describe('a batch id belongs to its producer', () => {
  it('refuses another party’s BatchProduced of it with 409 naming batchId, and writes nothing', async () => {
    expect((await post('owner', [produced('LOT-1')])).status).toBe(202);
    await platform.waitForBatch(keys.samr!, 'LOT-1');
    const claim = produced('LOT-1', [], { quantity: 999 });
    const refused = await post('squatter', [claim]);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: 'conflict',
      message: expect.stringMatching(/^events\[0\]\.batchId: /) as string,
      details: [{ index: 0, path: 'batchId' }],
    });
    expect((refused.body as Refusal).message).not.toMatch(/owner/);
    // A marker posted after the refusal is visible; the refused claim never is.
    await post('squatter', [produced('MARK-1')]);
    await platform.waitForBatch(keys.samr!, 'MARK-1');
    const lot = await batch('LOT-1');
    expect(lot).toMatchObject({ producer: 'owner', quantity: 100 });
    expect(lot.timeline.map((entry) => entry.eventId)).not.toContain(claim.eventId);
    expect(await searched('squatter', 'LOT-1')).toEqual([]);
  });

  it('refuses the producer a second, different BatchProduced of it; the same event is a duplicate', async () => {
    const first = produced('LOT-2');
    expect((await post('owner', [first])).status).toBe(202);
    await platform.waitForBatch(keys.samr!, 'LOT-2');
    expect((await post('owner', [produced('LOT-2', [], { quantity: 5 })])).status).toBe(409);
    expect((await post('owner', [first])).body).toEqual({
      results: [{ eventId: first.eventId, status: 'duplicate' }],
    });
  });

  it('refuses two productions of one id in one request, naming the second', async () => {
    const refused = await post('owner', [produced('LOT-3'), produced('LOT-3')]);
    expect(refused.status).toBe(409);
    expect((refused.body as Refusal).message).toMatch(/^events\[1\]\.batchId: /);
  });

  it('lets the producer correct it: retract the production, and produce it again', async () => {
    const first = produced('LOT-4');
    expect((await post('owner', [first])).status).toBe(202);
    await platform.waitForBatch(keys.samr!, 'LOT-4');
    const corrected = produced('LOT-4', [], { quantity: 42 });
    expect((await post('owner', [retracted(first.eventId), corrected])).status).toBe(202);
    await pollUntil(async () => (await batch('LOT-4')).quantity === 42, {
      timeoutMs: 30_000,
      what: 'the corrected production to count',
    });
  });

  it('lets one request produce an id, retract that production and produce it again', async () => {
    // An EPCIS document does so when a later event of a transformation adds inputs to an output.
    const first = produced('LOT-5');
    const again = produced('LOT-5', [], { quantity: 7 });
    expect((await post('owner', [first, retracted(first.eventId), again])).status).toBe(202);
    await pollUntil(async () => (await batch('LOT-5'))?.quantity === 7, {
      timeoutMs: 30_000,
      what: 'the production made again to count',
    });
  });
});

describe('two parties claiming a new batch id at once', () => {
  const ids = ['RACE-1', 'RACE-2', 'RACE-3', 'RACE-4', 'RACE-5'];

  it('accepts one or both, and every answer follows the earliest recorded claim', async () => {
    for (const batchId of ids) {
      const answers = await Promise.all([
        post('owner', [produced(batchId)]),
        post('squatter', [produced(batchId, [], { quantity: 7 })]),
      ]);
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.every((status) => status === 202 || status === 409)).toBe(true);
      expect(statuses).toContain(202);
    }
    for (const batchId of ids) {
      await platform.waitForBatch(keys.samr!, batchId);
      const first = await batch(batchId);
      const claims = first.timeline
        .filter((entry) => entry.eventType === 'BatchProduced')
        .sort(
          (a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.eventId.localeCompare(b.eventId),
        );
      const winner = claims[0]!.party;
      expect(first.producer).toBe(winner);
      expect(await batch(batchId)).toEqual(first);
      const loser = winner === 'owner' ? 'squatter' : 'owner';
      expect((await searched(winner, batchId)).map((hit) => hit.producer)).toEqual([winner]);
      expect(await searched(loser, batchId)).toEqual([]);
      expect((await searched('samr', batchId)).map((hit) => hit.producer)).toEqual([winner]);
      // Once a claim is stored, the other party's next claim is refused.
      expect((await post(loser, [produced(batchId)])).status).toBe(409);
    }
  });
});
