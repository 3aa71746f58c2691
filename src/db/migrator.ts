import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Sqlite } from './connection';


interface Migration {
  tag: string;
  statements: string[];
  hash: string;
}

export class NewerDatabaseError extends Error {
  constructor(readonly unknownTags: string[]) {
    super(
      `The database was written by a newer Chargeyard version (migrations ${unknownTags.join(', ')} are unknown to this one); refusing to open it. Install the newer version or restore a backup.`,
    );
    this.name = 'NewerDatabaseError';
  }
}

function findMigrationsDir(): string {
  // Works from src/db (ts-jest) and from dist/src/db (compiled): walk up to the folder holding migrations/.
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'migrations', 'meta', '_journal.json');
    if (fs.existsSync(candidate)) return path.join(dir, 'migrations');
    dir = path.dirname(dir);
  }
  throw new Error(`migrations/meta/_journal.json not found above ${__dirname}`);
}

export function loadMigrations(dir = findMigrationsDir()): Migration[] {
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  return journal.entries.map(({ tag }) => {
    const text = fs.readFileSync(path.join(dir, `${tag}.sql`), 'utf8');
    return {
      tag,
      hash: crypto.createHash('sha256').update(text).digest('hex'),
      statements: text
        .split('--> statement-breakpoint')
        .map((statement) => statement.trim())
        .filter((statement) => statement.length > 0),
    };
  });
}

/**
 * Applies pending migrations, each in its own transaction, and refuses a database that has
 * migrations this build does not know (written by a newer version).
 */
export function migrate(sqlite: Sqlite, migrations = loadMigrations()): { applied: string[] } {
  sqlite.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    tag TEXT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const appliedTags = new Set(
    (sqlite.prepare('SELECT tag FROM schema_migrations').all() as { tag: string }[]).map((row) => row.tag),
  );
  const knownTags = new Set(migrations.map((migration) => migration.tag));
  const unknown = [...appliedTags].filter((tag) => !knownTags.has(tag));
  if (unknown.length > 0) throw new NewerDatabaseError(unknown.sort());

  const applied: string[] = [];
  const record = sqlite.prepare('INSERT INTO schema_migrations (tag, hash, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (appliedTags.has(migration.tag)) continue;
    // Foreign key checks are deferred so table rebuilds that drizzle-kit generates stay valid.
    sqlite.pragma('defer_foreign_keys = ON');
    sqlite.transaction(() => {
      for (const statement of migration.statements) sqlite.exec(statement);
      record.run(migration.tag, migration.hash, new Date().toISOString());
    })();
    applied.push(migration.tag);
  }
  return { applied };
}

export function migrationState(sqlite: Sqlite, migrations = loadMigrations()) {
  const rows = sqlite.prepare('SELECT tag, applied_at AS appliedAt FROM schema_migrations ORDER BY tag').all() as {
    tag: string;
    appliedAt: string;
  }[];
  const applied = new Set(rows.map((row) => row.tag));
  return {
    applied: rows,
    pending: migrations.filter((migration) => !applied.has(migration.tag)).map((migration) => migration.tag),
  };
}
