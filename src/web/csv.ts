import { stringify } from 'csv-stringify/sync';
import { defuseCell } from '../billing';

/**
 * One CSV line from cells, quoted by csv-stringify; text cells are defused so a spreadsheet shows
 * `=…`, `+…`, `-…`, `@…` as text, never as a formula (the same rule as the API's CSV reports).
 */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return stringify([cells.map((cell) => (typeof cell === 'string' ? defuseCell(cell) : cell ?? ''))]).replace(/\n$/, '');
}
