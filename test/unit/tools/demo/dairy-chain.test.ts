import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../../services/common/events/event-types.generated.js';
import {
  buildDairyChain,
  gs1CheckDigit,
  postingPlan,
  stableUuid,
  type DemoEvent,
} from '../../../../tools/demo/dairy-chain.js';

const chain = buildDairyChain();
const events = chain.timeline.map(({ event }) => event);
const partyIds = new Set(chain.parties.map((party) => party.partyId));
const failing = chain.interesting.failingFormulaBatchId;

/** The batches an event refers to. */
function referencedBatches(event: DemoEvent): string[] {
  switch (event.eventType) {
    case 'BatchProduced':
      return event.inputs.map((input) => input.batchId);
    case 'BatchShipped':
    case 'BatchReceived':
      return event.lines.map((line) => line.batchId);
    case 'InspectionRecorded':
      return [event.batchId];
  }
}

const shipments = events.filter((e) => e.eventType === 'BatchShipped');
const receipts = events.filter((e) => e.eventType === 'BatchReceived');

describe('the dairy demo chain', () => {
  it('has the tiers of an infant-formula chain', () => {
    expect(chain.parties.length).toBeGreaterThanOrEqual(15);
    expect(chain.parties.filter((p) => p.partyId.startsWith('farm-')).length).toBeGreaterThan(2);
    expect(chain.parties.filter((p) => p.partyId.startsWith('retail-')).length).toBeGreaterThan(3);
    expect(new Set(chain.parties.map((p) => p.partyId)).size).toBe(chain.parties.length);
    const regulator = chain.parties.find((p) => p.partyId === chain.regulatorPartyId);
    expect(regulator?.roles).toContain('regulator');
    expect(new Set(chain.batchIds).size).toBe(chain.batchIds.length);
  });

  it('produces every referenced batch earlier in the order', () => {
    const produced = new Set<string>();
    for (const event of events) {
      for (const batchId of referencedBatches(event)) expect(produced).toContain(batchId);
      if (event.eventType === 'BatchProduced') produced.add(event.batchId);
    }
    const transformations = events.filter((e) => e.eventType === 'BatchProduced');
    expect(transformations.filter((e) => e.inputs.length > 1).length).toBeGreaterThan(3);
  });

  it('ships only what the shipper holds, to defined parties', () => {
    const holds = new Set<string>();
    for (const { party, event } of chain.timeline) {
      if (event.eventType === 'BatchProduced') holds.add(`${party}/${event.batchId}`);
      if (event.eventType === 'BatchReceived') {
        for (const line of event.lines) holds.add(`${party}/${line.batchId}`);
      }
      if (event.eventType !== 'BatchShipped') continue;
      expect(partyIds).toContain(event.to);
      expect(event.to).not.toBe(party);
      for (const line of event.lines) expect(holds).toContain(`${party}/${line.batchId}`);
    }
  });

  it('receives only shipped goods, each receipt matching its shipment', () => {
    const shipped = new Map(chain.timeline.map(({ party, event }) => [event, party]));
    for (const receipt of receipts) {
      const shipment = shipments.find((s) => s.shipmentId === receipt.shipmentId);
      expect(shipment).toBeDefined();
      expect(events.indexOf(shipment!)).toBeLessThan(events.indexOf(receipt));
      expect(receipt.from).toBe(shipped.get(shipment!));
      expect(receipt.lines).toEqual(shipment!.lines);
    }
    expect(new Set(receipts.map((r) => r.shipmentId)).size).toBe(receipts.length);
  });

  it('leaves at least one shipment in transit', () => {
    const received = new Set(receipts.map((r) => r.shipmentId));
    const inTransit = shipments.filter((s) => !received.has(s.shipmentId));
    expect(inTransit.length).toBeGreaterThan(0);
    expect(inTransit.some((s) => s.lines.some((l) => l.batchId === failing))).toBe(true);
  });

  it('has exactly one failing supervisory sampling, on the failing formula batch', () => {
    const inspections = events.filter((e) => e.eventType === 'InspectionRecorded');
    const fails = inspections.filter(
      (e) => e.kind === 'SUPERVISORY_SAMPLING' && e.result === 'FAIL',
    );
    expect(fails).toHaveLength(1);
    expect(fails[0]?.batchId).toBe(failing);
    expect(fails[0]?.standard).toContain('GB 10765-2021');
    expect(fails[0]?.findings.some((f) => f.item.includes('阪崎肠杆菌'))).toBe(true);
    expect(inspections.filter((e) => e.result === 'FAIL')).toHaveLength(1);
    const kinds = new Set(inspections.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([
      'IMPORT',
      'SELF_CHECK',
      'SUPERVISORY_SAMPLING',
      'THIRD_PARTY',
    ]);
    const regulator = chain.timeline.find(({ event }) => event === fails[0])?.party;
    expect(regulator).toBe(chain.regulatorPartyId);
  });

  it('links the interesting batches: raw milk -> powder -> failing formula', () => {
    const produced = new Map(
      events.flatMap((e) => (e.eventType === 'BatchProduced' ? [[e.batchId, e] as const] : [])),
    );
    const inputsOf = (batchId: string) => produced.get(batchId)?.inputs.map((i) => i.batchId) ?? [];
    const { rawMilkBatchId, powderBatchId } = chain.interesting;
    expect(inputsOf(rawMilkBatchId)).toEqual([]);
    expect(inputsOf(failing)).toContain(powderBatchId);
    const powderOfRawMilk = [...produced.keys()].filter((b) =>
      inputsOf(b).includes(rawMilkBatchId),
    );
    expect(powderOfRawMilk.some((powder) => inputsOf(failing).includes(powder))).toBe(true);
    const usersOfPowder = chain.timeline.filter(
      ({ event }) =>
        event.eventType === 'BatchProduced' && inputsOf(event.batchId).includes(powderBatchId),
    );
    expect(new Set(usersOfPowder.map((e) => e.party)).size).toBeGreaterThan(1);
  });

  it('has unique event ids, stable across calls', () => {
    const ids = events.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(buildDairyChain()).toEqual(chain);
    expect(stableUuid('x')).toBe(stableUuid('x'));
  });

  it('has strictly increasing RFC 3339 UTC times within a few weeks before 2026-11-20', () => {
    const times = events.map((e) => Date.parse(e.eventTime));
    times.forEach((time, i) => expect(time).toBeGreaterThan(times[i - 1] ?? 0));
    for (const e of events) expect(e.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(times.at(-1)).toBeLessThan(Date.parse('2026-11-20T00:00:00Z'));
    expect(times.at(-1)! - times[0]!).toBeLessThan(42 * 24 * 3600 * 1000);
  });

  it('uses valid GS1 check digits for GTINs and GLNs, and names an operator', () => {
    const valid = (code: string) => gs1CheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
    for (const e of events) {
      expect(valid(e.location.gln), e.location.gln).toBe(true);
      if (e.eventType === 'BatchProduced') expect(valid(e.product.id), e.product.id).toBe(true);
      expect(e.operator.length).toBeGreaterThan(0);
    }
    expect(gs1CheckDigit('629104150021')).toBe(3);
  });

  it('groups the events per acting party in time order', () => {
    const grouped = [...chain.eventsByParty.values()].flat();
    expect(grouped).toHaveLength(events.length);
    for (const [party, list] of chain.eventsByParty) {
      expect(partyIds).toContain(party);
      expect(list).toEqual(chain.timeline.filter((e) => e.party === party).map((e) => e.event));
    }
  });

  it('matches the Avro schemas once ingest adds party and recordedAt', () => {
    const codec = createEventCodec();
    for (const { party, event } of chain.timeline) {
      const record = { ...event, party, recordedAt: event.eventTime } as SuyuanEvent;
      expect(codec.decode(codec.encode(record))).toMatchObject({ eventId: event.eventId, party });
    }
  });

  it('plans requests that keep the global order and the size limit', () => {
    const plan = postingPlan(chain.timeline, 3);
    expect(plan.flatMap((chunk) => chunk.events)).toEqual(events);
    for (const chunk of plan) expect(chunk.events.length).toBeLessThanOrEqual(3);
    plan.slice(1).forEach((chunk, i) => {
      const previous = plan[i]!;
      if (chunk.party === previous.party) expect(previous.events).toHaveLength(3);
    });
  });
});

/** A stand-in for the platform's HTTP contract: parties, keys, events. */
class FakePlatform {
  readonly keys = new Map<string, string>();
  readonly posted: Array<{ party: string; event: DemoEvent }> = [];
  private readonly server: Server;
  url = '';

  constructor(private readonly rejectEvents = false) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as unknown) : null;
    const reply = (status: number, json: unknown) =>
      res.writeHead(status).end(JSON.stringify(json));
    const caller = (req.headers.authorization ?? '').replace('Bearer ', '');
    if (req.url === '/readyz') return void reply(200, { ready: true });
    if (req.url === '/v1/parties')
      return void this.party(caller, body as { partyId: string }, reply);
    const party = [...this.keys].find(([, key]) => key === caller)?.[0];
    if (!party) return void reply(401, { error: 'unauthorized', message: 'unknown API key' });
    if (this.rejectEvents) {
      const details = [{ index: 0, path: 'eventTime', message: 'must be an RFC 3339 time' }];
      return void reply(400, {
        error: 'invalid_event',
        message: 'events[0].eventTime: bad',
        details,
      });
    }
    const { events } = body as { events: DemoEvent[] };
    for (const event of events) this.posted.push({ party, event });
    reply(202, { results: events.map((e) => ({ eventId: e.eventId, status: 'accepted' })) });
  }

  private party(caller: string, body: { partyId: string }, reply: (s: number, j: unknown) => void) {
    if (caller !== 'admin-key') return reply(403, { error: 'forbidden', message: 'admin only' });
    if (this.keys.has(body.partyId)) return reply(409, { error: 'conflict', message: 'exists' });
    this.keys.set(body.partyId, `key-${body.partyId}`);
    reply(201, { partyId: body.partyId, apiKey: `key-${body.partyId}` });
  }
}

const mainScript = fileURLToPath(new URL('../../../../tools/demo/main.ts', import.meta.url));

function runDemo(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
    env: { ...process.env, SUYUAN_ADMIN_KEY: '', SUYUAN_URL: '', ...env },
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
}

describe('npm run demo', () => {
  let platform: FakePlatform | undefined;
  afterEach(async () => platform?.stop());

  it('creates the parties, posts every event in order as its party, then prints traces', async () => {
    platform = await new FakePlatform().start();
    const first = await runDemo(['--url', platform.url, '--admin-key', 'admin-key']);
    expect(first.code, first.output).toBe(0);
    expect([...platform.keys.keys()]).toEqual(chain.parties.map((p) => p.partyId));
    expect(platform.posted).toEqual(chain.timeline);
    expect(first.output).toContain(`loaded ${events.length}/${events.length} events`);
    expect(first.output).toContain(`key-${chain.regulatorPartyId}`);
    expect(first.output).toContain(`/v1/batches/${failing}/trace?direction=upstream'`);

    const again = await runDemo(['--url', platform.url], { SUYUAN_ADMIN_KEY: 'admin-key' });
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('loaded before');
    expect(platform.posted).toHaveLength(events.length);
  });

  it('fails with the server message when events are rejected', async () => {
    platform = await new FakePlatform(true).start();
    const run = await runDemo(['--url', platform.url, '--admin-key', 'admin-key']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('invalid_event: events[0].eventTime: bad');
  });

  it('explains a missing admin key, a wrong one and a platform that is not running', async () => {
    const noKey = await runDemo([]);
    expect(noKey.code).not.toBe(0);
    expect(noKey.output).toContain('SUYUAN_ADMIN_KEY');
    platform = await new FakePlatform().start();
    const wrongKey = await runDemo(['--url', platform.url, '--admin-key', 'nope']);
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.output).toContain('HTTP 403 forbidden: admin only');
    const down = await runDemo(['--url', 'http://127.0.0.1:1', '--admin-key', 'k', '--wait', '0']);
    expect(down.code).not.toBe(0);
    expect(down.output).toContain('no Suyuan platform answers at http://127.0.0.1:1');
  });
});
