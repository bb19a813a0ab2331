/**
 * The platform's CSV: RFC 4180, UTF-8 with a byte-order mark (so spreadsheets read Chinese
 * names), CRLF line ends, and formula-safe — the recall report (召回总结) and the FSMA 204 export
 * write theirs with it.
 */

export type CsvValue = string | number | boolean | null;

/**
 * RFC 4180 quoting. Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed
 * with an apostrophe: party names and batch ids come from outside.
 */
export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole document: the header line, then one line per row. */
export function csvDocument(
  columns: readonly string[],
  rows: ReadonlyArray<readonly CsvValue[]>,
): string {
  const lines = rows.map((row) => row.map(csvCell).join(','));
  return `\uFEFF${[columns.map(csvCell).join(','), ...lines].join('\r\n')}\r\n`;
}
