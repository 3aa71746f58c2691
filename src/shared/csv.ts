import { stringify } from 'csv-stringify/sync';

/**
 * Spreadsheet formula injection: a cell starting with = + - @ (or a tab / carriage return that
 * some spreadsheets skip) is prefixed with an apostrophe so it is shown as text, never run.
 */
export function defuseCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * One CSV line from cells, quoted by csv-stringify; text cells are defused so a spreadsheet shows
 * `=…`, `+…`, `-…`, `@…` as text, never as a formula (the same rule as the API's CSV reports).
 */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return stringify([cells.map((cell) => (typeof cell === 'string' ? defuseCell(cell) : cell ?? ''))]).replace(/\n$/, '');
}
