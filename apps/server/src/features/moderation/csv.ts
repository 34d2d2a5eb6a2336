/*
 * CSV for the audit export (RFC 4180). Spreadsheets run a cell that starts with = + - @ (or a
 * tab or carriage return) as a formula, so such cells get a leading apostrophe: the export of
 * what a hostile user wrote must not execute in a moderator's spreadsheet.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
