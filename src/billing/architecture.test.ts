import fs from 'node:fs';
import path from 'node:path';

/** STYLE: domain folders never import express, ws or the SQLite driver; only app.ts knows everything. */
const MONEY_DOMAINS = ['ledger', 'tariffs', 'drivers', 'billing'];
const FORBIDDEN = /from ['"](express|ws|better-sqlite3)['"]|require\(['"](express|ws|better-sqlite3)['"]\)|from ['"]\.\.\/(web|ocpp|app)['"/]/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

test.each(MONEY_DOMAINS)('src/%s imports no transport, web or database driver module', (domain) => {
  const offenders = sourceFiles(path.join(__dirname, '..', domain)).filter((file) => FORBIDDEN.test(fs.readFileSync(file, 'utf8')));
  expect(offenders).toEqual([]);
});
