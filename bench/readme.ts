import fs from 'node:fs';
import path from 'node:path';

/** The repository, from dist/bench/ where the compiled benchmarks run. */
export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Puts `table` into README.md between `<!-- NAME:start -->` and `<!-- NAME:end -->`, replacing
 * what stood there; a README without both markers is left as it is.
 */
export function writeReadmeSection(name: string, table: string): void {
  const readme = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!text.includes(start) || !text.includes(end)) return;
  fs.writeFileSync(readme, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
}
