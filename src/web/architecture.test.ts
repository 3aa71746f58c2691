import fs from 'node:fs';
import path from 'node:path';

/**
 * STYLE: web code never writes SQL (it calls the domain services); the staff domain never imports
 * express, ws or the SQLite driver; templates never print a value unescaped except our own SVG.
 */
function files(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full, suffix);
    return entry.name.endsWith(suffix) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const WEB_PAGES = [path.join(__dirname, 'pages'), ...['index.ts', 'auth.ts', 'security.ts', 'sse.ts', 'forms.ts', 'flash.ts', 'view-engine.ts', 'svg-chart.ts'].map((file) => path.join(__dirname, file))];

test('the staff web UI reaches the database only through domain services', () => {
  const sources = WEB_PAGES.flatMap((entry) => (entry.endsWith('.ts') ? [entry] : files(entry, '.ts')));
  const offenders = sources.filter((file) => /from ['"](drizzle-orm[^'"]*|better-sqlite3)['"]|\.orm\b|\bschema\./.test(fs.readFileSync(file, 'utf8')));
  expect(offenders.map((file) => path.relative(__dirname, file))).toEqual([]);
});

test('the staff domain imports no web, transport or database driver module', () => {
  const offenders = files(path.join(__dirname, '..', 'staff'), '.ts').filter((file) =>
    /from ['"](express|ws|better-sqlite3)['"]|from ['"]\.\.\/(web|ocpp|app)['"/]/.test(fs.readFileSync(file, 'utf8')),
  );
  expect(offenders).toEqual([]);
});

test('templates print raw HTML only for server-made SVG and the layout body', () => {
  const viewsDir = path.join(__dirname, '..', '..', 'views');
  // Each of these is markup our own code builds (SVG charts, the QR code SVG of the labels page).
  const allowed = new Set(['{{{body}}}', '{{{charts.energy}}}', '{{{charts.hours}}}', '{{{charts.revenue}}}', '{{{meterChart}}}', '{{{svg}}}']);
  const raw: string[] = [];
  for (const file of files(viewsDir, '.hbs')) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/\{\{\{[^}]*\}\}\}/g)) {
      if (!allowed.has(match[0])) raw.push(`${path.relative(viewsDir, file)}: ${match[0]}`);
    }
  }
  expect(raw).toEqual([]);
});
