/**
 * The EPCIS export's evidence (docs/proofs.md): `GET /epcis/events?evidence=true` on the demo
 * chain, with one captured EPCIS event beside its native events, is an EPCISQueryDocument the
 * official schema accepts, carrying its proofs under the `suyuan:evidence` extension, and
 * `npx suyuan verify` passes on it; one byte altered in ClickHouse (a native event's payload, then
 * a captured event as the EPCIS query serves it) and separately in the log makes the verifier
 * name the event. Real processes: the platform is stopped to alter its files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceAnswer } from '../../services/common/api/proofs.js';
import { checkDocument } from '../../services/common/epcis/schema-check.js';
import { runVerify } from '../../tools/verify/verify-command.js';
import { loadDairyChain } from '../support/demo-chain.js';
import { capture, epcisDocument, eventsOf, http, type EpcisJson } from '../support/epcis.js';
import { clientFor, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { spawnPlatform } from '../support/platform-process.js';
import type { ServiceProcess } from '../support/service-process.js';
import { alterLogRecord, alterStoredColumn } from '../support/tamper.js';

const BIN = fileURLToPath(new URL('../../tools/verify/suyuan.mjs', import.meta.url));
const LOT = 'urn:epc:class:lgtin:6901234.056789.EVID1';

type Export = EpcisJson & { 'suyuan:evidence': EvidenceAnswer };

let dataDir = '';
let platform: TestPlatform | undefined;
let regulator = '';
const running: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((service) => service.kill()));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<TestPlatform> {
  const service = await spawnPlatform(dataDir, { SUYUAN_CHECKPOINT_INTERVAL_MS: '200' });
  running.push(service);
  platform = clientFor(service.url, dataDir, () => service.stop());
  return platform;
}

async function stop(): Promise<void> {
  await platform?.stop();
  platform = undefined;
}

/** The whole export with its evidence, once every event on it is checkpointed. */
async function exportAll(query = '?perPage=1000&evidence=true') {
  return pollUntil(
    async () => {
      const answer = await http<Export>(platform!, 'GET', `/epcis/events${query}`, {
        key: regulator,
      });
      if (answer.status === 503) return undefined;
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer;
    },
    { what: 'the EPCIS export with its evidence', timeoutMs: 30_000, intervalMs: 100 },
  );
}

async function verifyFile(document: unknown) {
  const file = join(dataDir, `export-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(document));
  const verdict = await runVerify(['verify', file]);
  return { code: verdict.code, text: verdict.lines.join('\n') };
}

/** The bin as a user runs it: `npx suyuan verify <file>` resolves to this script. */
function runBin(file: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, 'verify', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const proofOf = (document: Export, eventId: string) => {
  const proof = document['suyuan:evidence'].proofs.find((p) => p.eventId === eventId);
  if (!proof) throw new Error(`no proof of ${eventId} in the evidence`);
  return proof;
};

describe('the offline verifier on the demo chain’s EPCIS export', () => {
  it(
    'verifies the export, and names the event altered in the store (native, then captured), then in the log',
    { timeout: 300_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-proofs-epcis-'));
      const api = await start();
      const { chain, keys } = await loadDairyChain(api);
      regulator = keys.get(chain.regulatorPartyId) ?? '';
      const plant = await api.createParty('epcis-plant', ['submitter'], 'EPCIS plant');
      const job = await capture(
        api,
        plant,
        epcisDocument([
          {
            type: 'ObjectEvent',
            eventTime: '2026-11-20T08:00:00+08:00',
            eventTimeZoneOffset: '+08:00',
            action: 'ADD',
            bizStep: 'commissioning',
            quantityList: [{ epcClass: LOT, quantity: 100, uom: 'KGM' }],
          },
        ]),
      );
      const capturedId = job.events[0]!.eventID;
      const exported = await pollUntil(
        async () => {
          const answer = await exportAll();
          return eventsOf(answer.body).some((event) => event.eventID === capturedId)
            ? answer
            : undefined;
        },
        { what: 'the captured event on the export', timeoutMs: 30_000, intervalMs: 200 },
      );
      const document = exported.body;
      // Still an EPCISQueryDocument the official schema accepts, the extension declared.
      const problems = checkDocument(document);
      expect(problems.document).toEqual([]);
      expect([...problems.events]).toEqual([]);
      expect(document['@context']).toContainEqual(
        expect.objectContaining({ 'suyuan:evidence': { '@type': '@json' } }),
      );
      const events = eventsOf(document);
      expect(events.length).toBeGreaterThan(10);
      expect(document['suyuan:evidence'].proofs.length).toBeGreaterThanOrEqual(events.length);

      const file = join(dataDir, 'export.json');
      await writeFile(file, JSON.stringify(document));
      const clean = await runBin(file);
      expect(clean.out).toMatch(/^verified EPCIS export: \d+ events against the checkpoint/m);
      expect(clean.code).toBe(0);

      // The export itself edited (by whoever forwards it): the event it misstates is named.
      const edited = structuredClone(document);
      const misstated = eventsOf(edited).find((event) => event.bizStep === 'receiving')!;
      misstated['suyuan:party'] = 'someone-else';
      const editedVerdict = await verifyFile(edited);
      expect(editedVerdict.code).toBe(1);
      expect(editedVerdict.text).toContain(
        `EPCIS event ${String(misstated.eventID)} of the export is not what its signed record states, at suyuan:party`,
      );

      // A page of it verifies on its own, and its Link asks the next page's evidence too.
      const page = await exportAll('?perPage=5&evidence=true');
      expect(eventsOf(page.body)).toHaveLength(5);
      expect(page.headers.get('link')).toMatch(/[?&]evidence=true[&>]/);
      expect((await verifyFile(page.body)).code).toBe(0);
      // Without the flag the document is the plain EPCIS one; a party may not have the evidence.
      const plain = await http(api, 'GET', '/epcis/events?perPage=5', { key: regulator });
      expect(plain.body).not.toHaveProperty('suyuan:evidence');
      const refused = await http(api, 'GET', '/epcis/events?evidence=true', { key: plant });
      expect(refused.status).toBe(403);
      expect(String(refused.body.message)).toMatch(/^evidence:/);

      const shipped = events.find((event) => event.bizStep === 'shipping')!;
      const shippedId = String(shipped.eventID).replace('urn:uuid:', '');
      const captured = events.find((event) => event.eventID === capturedId)!;
      const capturedRecord = document['suyuan:evidence'].proofs.find(
        (proof) => proof.event?.eventType === 'EpcisEventCaptured',
      )!;
      expect(captured).toBeDefined();

      // One byte of a native event's stored payload: the verifier names it.
      await stop();
      const shipmentIdOf = (payload: string) =>
        String((JSON.parse(payload) as { shipmentId: string }).shipmentId);
      // The shipment id's last character, one bit flipped.
      const flipped = (id: string) =>
        `${id.slice(0, -1)}${String.fromCharCode(id.charCodeAt(id.length - 1) ^ 0x01)}`;
      const shipmentAs = (from: (id: string) => string) => (payload: string) => {
        const id = shipmentIdOf(payload);
        return payload.replace(`"shipmentId":"${id}"`, `"shipmentId":"${from(id)}"`);
      };
      await alterStoredColumn(
        dataDir,
        { table: 'events', column: 'payload', eventId: shippedId },
        shipmentAs(flipped),
      );
      await start();
      const storeVerdict = await verifyFile((await exportAll()).body);
      expect(storeVerdict.code).toBe(1);
      expect(storeVerdict.text).toContain(`FAILED event ${shippedId}: the store's copy differs`);
      expect(storeVerdict.text).toContain('at shipmentId');

      // Put back; one byte of the captured event as the EPCIS query serves it.
      await stop();
      await alterStoredColumn(
        dataDir,
        { table: 'events', column: 'payload', eventId: shippedId },
        shipmentAs(flipped),
      );
      await alterStoredColumn(
        dataDir,
        { table: 'epcis_events', column: 'event', eventId: capturedRecord.eventId },
        (event) => event.replace('"quantity":100', '"quantity":900'),
      );
      await start();
      const capturedVerdict = await verifyFile((await exportAll()).body);
      expect(capturedVerdict.code).toBe(1);
      expect(capturedVerdict.text).toContain(
        `FAILED event ${capturedRecord.eventId}: EPCIS event ${capturedId} of the export is not what its signed record states, at quantityList[0].quantity`,
      );

      // Put back; then one bit of the shipment's record in the log.
      await stop();
      await alterStoredColumn(
        dataDir,
        { table: 'epcis_events', column: 'event', eventId: capturedRecord.eventId },
        (event) => event.replace('"quantity":900', '"quantity":100'),
      );
      const offset = proofOf(document, shippedId).offset;
      const recordedShipment = String(proofOf(document, shippedId).event?.shipmentId);
      alterLogRecord(dataDir, offset, recordedShipment.slice(0, -1));
      await start();
      const logVerdict = await verifyFile((await exportAll()).body);
      expect(logVerdict.code).toBe(1);
      expect(logVerdict.text).toContain(
        `FAILED event ${shippedId}: its log record (partition 0, offset ${offset}) is not the one the checkpoint signed`,
      );
    },
  );
});
