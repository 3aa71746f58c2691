import fs from 'node:fs';
import path from 'node:path';

/**
 * The house rules (STYLE "The shape we aim for"), checked on the source text:
 * - domain folders never import express, ws or the SQLite driver, nor the web layer, the OCPP
 *   transport or the wiring;
 * - every table has one owning domain: a table declared in `db/schema/<domain>.ts` is read and
 *   written only by `src/<domain>/` (the web layer reaches data through the domain services);
 * - no import circle, between files or between folders;
 * - templates print raw HTML only for markup our own code builds.
 */
const SRC = __dirname;
/** Folders that may use express, ws or the SQLite driver: the transport, the web layer, the database layer and test helpers. */
const EDGE_FOLDERS = ['ocpp', 'web', 'db', 'testing'];
const DRIVER_IMPORT = /from ['"](express|ws|better-sqlite3)['"]|require\(['"](express|ws|better-sqlite3)['"]\)/;

function sourceFiles(dir: string, suffix = '.ts'): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, suffix);
    return entry.name.endsWith(suffix) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');
/** The folder directly under src/ a file belongs to; a file at the top (app.ts) is its own. */
const topFolderOf = (file: string) => relative(file).split('/')[0]!.replace(/\.ts$/, '');

const domainFolders = fs
  .readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !EDGE_FOLDERS.includes(entry.name))
  .map((entry) => entry.name);

test('domain folders import neither express, ws nor better-sqlite3, nor the web layer, the transport or the wiring', () => {
  expect(domainFolders).toEqual(expect.arrayContaining(['chargers', 'sessions', 'ledger', 'drivers', 'tariffs', 'settings', 'billing', 'till', 'reports', 'qrstart', 'staff']));
  const upward = /from ['"](\.\.\/)+(web|ocpp|app|services)['"/]/;
  const offenders = domainFolders.flatMap((domain) =>
    sourceFiles(path.join(SRC, domain))
      .filter((file) => {
        const text = fs.readFileSync(file, 'utf8');
        return DRIVER_IMPORT.test(text) || upward.test(text);
      })
      .map(relative),
  );
  expect(offenders).toEqual([]);
});

// ---- table ownership ------------------------------------------------------------------------

interface Table {
  /** The name in TypeScript (`schema.sessionBilling`) and in SQL (`session_billing`). */
  variable: string;
  sqlName: string;
  owner: string;
}

function tablesBySchemaFile(): Table[] {
  const schemaDir = path.join(SRC, 'db', 'schema');
  return fs
    .readdirSync(schemaDir)
    .filter((name) => name !== 'index.ts')
    .flatMap((name) =>
      [...fs.readFileSync(path.join(schemaDir, name), 'utf8').matchAll(/export const (\w+) = sqliteTable\(\s*'(\w+)'/g)].map((match) => ({
        variable: match[1]!,
        sqlName: match[2]!,
        owner: name.replace(/\.ts$/, ''),
      })),
    );
}

/** Tables a source file queries: `schema.x`, `const { x } = schema`, or SQL naming the table. */
function tablesUsedBy(text: string, tables: readonly Table[]): Table[] {
  const variables = new Set<string>();
  for (const match of text.matchAll(/schema\.(\w+)/g)) variables.add(match[1]!);
  for (const match of text.matchAll(/\{([^{}]*)\}\s*=\s*schema\b/g)) {
    for (const part of match[1]!.split(',')) variables.add(part.split(':')[0]!.trim());
  }
  const sqlNames = new Set([...text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(\w+)/gi)].map((match) => match[1]!));
  return tables.filter((table) => variables.has(table.variable) || sqlNames.has(table.sqlName));
}

test('every table has one owning domain, and only that domain queries it', () => {
  const tables = tablesBySchemaFile();
  expect(tables.length).toBeGreaterThan(30);
  // Each schema file is named after a domain folder that exists.
  const owners = [...new Set(tables.map((table) => table.owner))];
  expect(owners.filter((owner) => !fs.existsSync(path.join(SRC, owner)))).toEqual([]);
  const strangers = sourceFiles(SRC)
    .filter((file) => !['db', 'testing'].includes(topFolderOf(file)))
    .flatMap((file) => {
      const folder = topFolderOf(file);
      return tablesUsedBy(fs.readFileSync(file, 'utf8'), tables)
        .filter((table) => table.owner !== folder)
        .map((table) => `${relative(file)} uses ${table.sqlName} (owned by ${table.owner}/)`);
    });
  expect(strangers).toEqual([]);
});

test('the web layer and the wiring write no SQL: they call the domain services', () => {
  const offenders = [...sourceFiles(path.join(SRC, 'web')), ...['app.ts', 'services.ts', 'main.ts', 'cli.ts'].map((file) => path.join(SRC, file))]
    .filter((file) => /from ['"](drizzle-orm[^'"]*|better-sqlite3)['"]|\.orm\b|\bschema\.|\.prepare\(/.test(fs.readFileSync(file, 'utf8')))
    .map(relative);
  expect(offenders).toEqual([]);
});

// ---- import circles -------------------------------------------------------------------------

/** Every relative import of every source file (type-only imports too: they tie files just as well). */
function importGraph(): Map<string, string[]> {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]*)['"]/g)) {
      const base = path.resolve(path.dirname(file), match[1]!);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => known.has(candidate));
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The groups of nodes that import each other, directly or round about (Tarjan's strongly connected components). */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || graph.get(node)!.includes(node)) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

test('no source file imports itself round about', () => {
  expect(circles(importGraph()).map((group) => group.map(relative))).toEqual([]);
});

test('no folder imports itself round about: the domains form layers', () => {
  const folders = new Map<string, string[]>();
  for (const [file, targets] of importGraph()) {
    const from = topFolderOf(file);
    const to = targets.map(topFolderOf).filter((folder) => folder !== from);
    folders.set(from, [...new Set([...(folders.get(from) ?? []), ...to])]);
  }
  expect(circles(folders)).toEqual([]);
});

// ---- templates ------------------------------------------------------------------------------

test('templates print raw HTML only for server-made SVG and the layout body', () => {
  const viewsDir = path.join(SRC, '..', 'views');
  // Each of these is markup our own code builds (SVG charts, the QR code SVG of the labels page and
  // of a walk-in payment's UPI link: the qrcode library draws modules, it prints no text).
  const allowed = new Set(['{{{body}}}', '{{{charts.energy}}}', '{{{charts.hours}}}', '{{{charts.revenue}}}', '{{{meterChart}}}', '{{{svg}}}', '{{{payment.upiSvg}}}']);
  const raw: string[] = [];
  for (const file of sourceFiles(viewsDir, '.hbs')) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/\{\{\{[^}]*\}\}\}/g)) {
      if (!allowed.has(match[0])) raw.push(`${path.relative(viewsDir, file)}: ${match[0]}`);
    }
  }
  expect(raw).toEqual([]);
});
