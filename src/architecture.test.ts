import fs from 'node:fs';
import path from 'node:path';

/**
 * The house rule (STYLE "The shape we aim for"): domain folders never import express, ws or the
 * SQLite driver. Only the transport (ocpp/), the web layer (web/), the database layer (db/),
 * the wiring (app.ts) and test helpers may.
 */
const ALLOWED = ['ocpp', 'web', 'db', 'testing'];
const FORBIDDEN = /from '(express|ws|better-sqlite3)'|require\('(express|ws|better-sqlite3)'\)/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

test('domain folders import neither express, ws nor better-sqlite3', () => {
  const root = path.join(__dirname);
  const domains = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !ALLOWED.includes(entry.name))
    .map((entry) => entry.name);
  expect(domains).toEqual(expect.arrayContaining(['chargers', 'sessions', 'ledger', 'drivers', 'tariffs', 'settings']));
  const offenders = domains.flatMap((domain) =>
    sourceFiles(path.join(root, domain)).filter((file) => FORBIDDEN.test(fs.readFileSync(file, 'utf8'))),
  );
  expect(offenders).toEqual([]);
});

test('only the ledger writes the ledger tables', () => {
  const writers = sourceFiles(__dirname).filter((file) => {
    if (file.includes(`${path.sep}ledger${path.sep}`) || file.includes(`${path.sep}db${path.sep}schema`)) return false;
    const text = fs.readFileSync(file, 'utf8');
    return /\.(insert|update|delete)\(schema\.(ledgerTransfers|ledgerEntries|ledgerAccounts)\b/.test(text) || /(INSERT INTO|UPDATE|DELETE FROM) (ledger_transfers|ledger_entries|ledger_accounts)\b/i.test(text);
  });
  expect(writers).toEqual([]);
});
