/**
 * GET /v1/exports/fsma204 on the demo chain, in the real embedded platform: the export of the lot
 * that failed the supervisory sampling checked cell by cell against the demo's story (written out
 * by hand below), as CSV read by Python's csv module and as XLSX opened by Python's openpyxl —
 * libraries other than the ones that wrote them. Dates, a party's own records, formula safety and
 * bad queries too.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FSMA_COLUMNS } from '../../services/common/api/fsma204.js';
import type { DairyChain } from '../../tools/demo/dairy-chain.js';
import { expectedRow, LOT, PARTY, PRODUCT, STORY } from '../support/fsma-demo-lot.js';
import { loadDairyChain } from '../support/demo-chain.js';
import { produced } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { findPython, OPENPYXL, runPythonScript } from '../support/python-client.js';

let api: TestPlatform;
let chain: DairyChain;
let keys: Map<string, string>;
let dir = '';
const regulator = () => keys.get(chain.regulatorPartyId) ?? '';

beforeAll(async () => {
  api = await startTestPlatform();
  ({ chain, keys } = await loadDairyChain(api));
  dir = await mkdtemp(join(tmpdir(), 'suyuan-fsma-'));
}, 120_000);
afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function download(query: string, key = regulator()) {
  const response = await fetch(`${api.url}/v1/exports/fsma204?${query}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** The file as Python reads it: the csv module for CSV, openpyxl for XLSX. */
async function readInPython<T>(bytes: Buffer, name: string): Promise<T> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  // The tests that read XLSX carry the `openpyxl` tag; the csv module comes with every Python.
  if (!name.endsWith('.xlsx')) return runPythonScript<T>('python3', 'read_spreadsheet.py', [path]);
  const python = await findPython(OPENPYXL);
  if (python.python === undefined) throw new Error(python.reason);
  return runPythonScript<T>(python.python, 'read_spreadsheet.py', [path]);
}

describe('GET /v1/exports/fsma204', () => {
  it('writes the CSV of a lot: one row per critical tracking event, cell by cell', async () => {
    const { response, bytes } = await download(`batchId=${LOT}&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="fsma204-${LOT}.csv"`,
    );
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const { rows } = await readInPython<{ rows: string[][] }>(bytes, 'lot.csv');
    expect(rows[0]).toEqual([...FSMA_COLUMNS]);
    const asText = (cells: unknown[]) =>
      cells.map((cell) => (cell === null ? '' : String(cell as string | number)));
    expect(rows.slice(1)).toEqual(
      STORY.map((line) => asText(expectedRow(chain, line, (iso) => iso))),
    );
  });

  it(
    'writes the same as XLSX, sortable and filterable, opened by openpyxl',
    { tags: ['openpyxl'] },
    async () => {
      const { response, bytes } = await download(`batchId=${LOT}&format=xlsx`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      const book = await readInPython<{
        title: string;
        autofilter: string;
        freeze: string;
        bold_header: boolean;
        rows: unknown[][];
        types: string[][];
      }>(bytes, 'lot.xlsx');
      expect(book.title).toBe('FSMA 204');
      expect(book.autofilter).toBe(`A1:V${STORY.length + 1}`);
      expect(book.freeze).toBe('A2');
      expect(book.bold_header).toBe(true);
      expect(book.rows[0]).toEqual([...FSMA_COLUMNS]);
      // A time is a date cell (sorts as a time), a quantity a number.
      const asDate = (iso: string) => ({ datetime: iso.replace('.000Z', '') });
      expect(book.rows.slice(1)).toEqual(STORY.map((line) => expectedRow(chain, line, asDate)));
      expect(book.types[1]?.slice(2, 7)).toEqual(['d', 's', 's', 's', 'n']);
    },
  );

  it('exports every lot of a product within the dates (from inclusive, to exclusive)', async () => {
    const whole = await download(`productId=${PRODUCT}`);
    const lot = await download(`batchId=${LOT}`);
    expect(whole.bytes.toString()).toBe(lot.bytes.toString());
    const { bytes } = await download(
      `productId=${PRODUCT}&from=2026-11-09T00:30:00Z&to=2026-11-11`,
    );
    const { rows } = await readInPython<{ rows: string[][] }>(bytes, 'dates.csv');
    expect(rows.slice(1).map((row) => [row[0], row[2]])).toEqual([
      ['receiving', '2026-11-09T00:30:00.000Z'],
      ['receiving', '2026-11-10T02:00:00.000Z'],
      ['shipping', '2026-11-10T23:30:00.000Z'],
    ]);
  });

  it('gives a party that is not a regulator the events it recorded itself', async () => {
    const { response, bytes } = await download(`batchId=${LOT}`, keys.get('dist-huabei'));
    expect(response.status).toBe(200);
    const { rows } = await readInPython<{ rows: string[][] }>(bytes, 'own.csv');
    expect(rows.slice(1).map((row) => [row[0], row[2], row[20]])).toEqual([
      ['receiving', '2026-11-09T00:30:00.000Z', PARTY['dist-huabei']],
      ['shipping', '2026-11-10T23:30:00.000Z', PARTY['dist-huabei']],
      ['shipping', '2026-11-11T00:00:00.000Z', PARTY['dist-huabei']],
    ]);
  });

  it(
    'keeps text that a spreadsheet would run as a formula as text',
    { tags: ['openpyxl'] },
    async () => {
      const key = await api.createParty('formula-firm', ['submitter'], '=HYPERLINK("x")');
      const batch = produced('FORMULA-1', [], {
        product: { id: 'P-FORMULA', name: '=1+1' },
      });
      expect((await api.postEvents(key, [batch])).status).toBe(202);
      await api.waitForBatch(key, 'FORMULA-1');
      const csv = await download('batchId=FORMULA-1&format=csv');
      const { rows } = await readInPython<{ rows: string[][] }>(csv.bytes, 'formula.csv');
      expect(rows[1]?.[5]).toBe("'=1+1");
      expect(rows[1]?.[8]).toBe(`'=HYPERLINK("x") (formula-firm)`);
      const xlsx = await download('batchId=FORMULA-1&format=xlsx');
      const book = await readInPython<{ rows: unknown[][]; types: string[][] }>(
        xlsx.bytes,
        'formula.xlsx',
      );
      expect(book.rows[1]?.[5]).toBe('=1+1');
      expect(book.types[1]?.[5]).toBe('s');
    },
  );

  it('refuses a query without a food or lot, or with bad dates, naming the field', async () => {
    const refusal = async (query: string) => {
      const { response, bytes } = await download(query);
      return {
        status: response.status,
        message: (JSON.parse(bytes.toString()) as { message: string }).message,
      };
    };
    expect(await refusal('format=csv')).toMatchObject({
      status: 400,
      message: expect.stringMatching(/productId/),
    });
    expect(await refusal(`batchId=${LOT}&from=yesterday`)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/from/),
    });
    expect(await refusal(`batchId=${LOT}&from=2026-11-10&to=2026-11-01`)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/to/),
    });
    expect(await refusal(`batchId=${LOT}&format=pdf`)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/format/),
    });
  });
});
