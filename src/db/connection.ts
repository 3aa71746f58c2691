import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { createPrivateFile, PRIVATE_DIR_MODE, tightenPrivateFile } from './private-files';
import * as schema from './schema';

export type Orm = BetterSQLite3Database<typeof schema>;
export type Sqlite = BetterSqlite3.Database;

/** Milliseconds a connection waits for a lock held by another connection (the CLI, a backup). */
const BUSY_TIMEOUT_MS = 5000;

/** The writer's page cache (KiB). */
export const WRITER_CACHE_KIB = 32 * 1024;

export interface OpenOptions {
  readonly?: boolean;
  /**
   * The appliance's own writer (`Database`): synchronous=NORMAL, no automatic checkpoints. Its
   * commits are made durable by an fdatasync of the WAL off the main thread before anyone is
   * answered, and a worker thread checkpoints (durability.ts). Without this flag a connection
   * is self-contained (CLI, backups): synchronous=FULL makes every COMMIT durable by itself.
   */
  walSyncedByCaller?: boolean;
}

/**
 * Opens the database with every PRAGMA written out rather than trusting defaults:
 * WAL so readers never block the writer, a synchronous mode under which an acknowledged write
 * is never lost (see OpenOptions), foreign keys enforced.
 */
export function openSqlite(file: string, options: OpenOptions = {}): Sqlite {
  if (file !== ':memory:' && !options.readonly) createPrivately(file);
  const sqlite = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    // Never OFF: a checkpoint under OFF copies pages into the database file without syncing it
    // and then reuses the WAL, which corrupted 9 of 10 databases in the power-loss harness.
    sqlite.pragma(options.walSyncedByCaller ? 'synchronous = NORMAL' : 'synchronous = FULL');
  }
  sqlite.pragma('foreign_keys = ON');
  if (options.walSyncedByCaller) {
    // Checkpoints fsync the database file: they run in a worker thread, never in a COMMIT here.
    // (The Database sets journal_size_limit itself, to its own hold threshold.)
    sqlite.pragma('wal_autocheckpoint = 0');
    // The pages every group commit touches (each charging session's newest meter_values page,
    // each charger's newest message-log page, the sessions rows) must stay cached: with the
    // default 2 MiB, 1,000 charging chargers evicted them and every write read its page back.
    // Pages are allocated as they are used; an idle site stays small.
    sqlite.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  } else {
    // Keep the WAL from growing without bound under constant load; checkpoint after ~4 MiB.
    sqlite.pragma('wal_autocheckpoint = 1000');
  }
  sqlite.pragma('temp_store = MEMORY');
  return sqlite;
}

/**
 * The database file is made 0600 before SQLite opens it: SQLite gives its -wal, -shm and
 * -journal files the database file's own mode, so they are private too. A file of ours left
 * readable by others (an older version, a loose umask) is tightened, and so are its companions;
 * a symbolic link in the place of any of them is refused.
 */
function createPrivately(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const companion of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tightenPrivateFile(companion);
  if (!fs.existsSync(file)) fs.closeSync(createPrivateFile(file));
}

/**
 * A connection that only reads (PRAGMA query_only), for the snapshots of durable state that
 * requests read while newer commits wait for their fdatasync (durability.ts).
 */
export function openReader(file: string): Sqlite {
  const sqlite = new BetterSqlite3(file, { fileMustExist: true });
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('query_only = ON');
  sqlite.pragma('temp_store = MEMORY');
  return sqlite;
}

export function createOrm(sqlite: Sqlite): Orm {
  return drizzle(sqlite, { schema });
}
