import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema';

export type Orm = BetterSQLite3Database<typeof schema>;
export type Sqlite = BetterSqlite3.Database;

/** Milliseconds a connection waits for a lock held by another connection (the CLI, a backup). */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the database with every PRAGMA written out rather than trusting defaults:
 * WAL so readers never block the writer, synchronous=FULL so a commit survives power loss
 * (an acknowledged OCPP message or API write is never lost), foreign keys enforced.
 */
export function openSqlite(file: string, options: { readonly?: boolean } = {}): Sqlite {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
  }
  sqlite.pragma('foreign_keys = ON');
  // Keep the WAL from growing without bound under constant load; checkpoint after ~4 MiB.
  sqlite.pragma('wal_autocheckpoint = 1000');
  sqlite.pragma('temp_store = MEMORY');
  return sqlite;
}

export function createOrm(sqlite: Sqlite): Orm {
  return drizzle(sqlite, { schema });
}
