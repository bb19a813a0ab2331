/**
 * The FSMA 204 spreadsheet as files: CSV (the platform's RFC 4180 writer, formula-safe) and XLSX
 * (exceljs), whose header row carries an autofilter — every column sortable and filterable in
 * Excel, LibreOffice and Numbers — and stays frozen while scrolling. XLSX cells hold text as
 * text (an inline string, never a formula), quantities as numbers and times as dates, so sorting
 * by them sorts by value.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { FSMA_COLUMNS, type FsmaRow } from '../../common/api/fsma204.js';
import { csvDocument } from '../../common/csv.js';

export function fsmaCsv(rows: readonly FsmaRow[]): string {
  return csvDocument(
    FSMA_COLUMNS,
    rows.map((row) => FSMA_COLUMNS.map((column) => row[column])),
  );
}

const WIDTHS: Partial<Record<(typeof FSMA_COLUMNS)[number], number>> = {
  critical_tracking_event: 18,
  event_date: 12,
  event_time_utc: 22,
  traceability_lot_code: 24,
  product_description: 40,
  tlc_source_location: 36,
  ship_from_location: 36,
  ship_to_location: 36,
  input_lots: 48,
  event_id: 38,
};

/**
 * Written row by row with exceljs's streaming writer, which keeps no cell objects per row (a
 * month of a busy product is ~80 000 rows and 2M cells) and writes text inline; the result is the
 * same sheet.
 */
export async function fsmaXlsx(rows: readonly FsmaRow[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Suyuan 溯源';
  const sheet = workbook.addWorksheet('FSMA 204', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = FSMA_COLUMNS.map((column) => ({
    header: column,
    key: column,
    width: WIDTHS[column] ?? 20,
    ...(column === 'event_time_utc' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for (const row of rows) {
    sheet.addRow({ ...row, event_time_utc: new Date(String(row.event_time_utc)) }).commit();
  }
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: Math.max(1, rows.length + 1), column: FSMA_COLUMNS.length },
  };
  sheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}
