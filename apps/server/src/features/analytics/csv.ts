/*
 * CSV for the dashboards' exports (RFC 4180, CRLF). Cells come partly from users (track titles,
 * room names): a cell a spreadsheet would read as a formula (=, +, -, @, tab, carriage return
 * first) is prefixed with an apostrophe, so opening the file never runs anything.
 */

export type CsvCell = string | number;

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvCell): string {
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
