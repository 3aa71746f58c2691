import { openSqlite, createOrm, type Orm, type Sqlite } from './connection';
import { migrate, migrationState } from './migrator';
import { WriteBatcher } from './write-batcher';

export type { Orm } from './connection';
export { NewerDatabaseError, loadMigrations, migrationState } from './migrator';
export * as schema from './schema';

/**
 * What domain code gets: the drizzle ORM for queries, `tx` for an atomic unit (a savepoint when
 * already inside a transaction), and `write` for a change that must be durable before the caller
 * answers anyone (group-committed).
 */
export interface Db {
  readonly orm: Orm;
  tx<T>(run: () => T): T;
  write<T>(run: () => T): Promise<T>;
  /**
   * A prepared raw SQL statement for hot paths (every OCPP message), where building the query
   * through the ORM on each call costs more than the write itself. Named parameters (@name).
   */
  prepare<Row = unknown>(sql: string): Statement<Row>;
}

export interface Statement<Row> {
  run(params?: Record<string, unknown>): { changes: number; lastInsertRowid: number | bigint };
  get(params?: Record<string, unknown>): Row | undefined;
  all(params?: Record<string, unknown>): Row[];
}

export class Database implements Db {
  readonly orm: Orm;
  readonly batcher: WriteBatcher;

  private constructor(
    private readonly sqlite: Sqlite,
    readonly file: string,
  ) {
    this.orm = createOrm(sqlite);
    this.batcher = new WriteBatcher(sqlite);
  }

  /** Opens (creating if needed) and migrates the database file. */
  static open(file: string): Database {
    const sqlite = openSqlite(file);
    try {
      migrate(sqlite);
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return new Database(sqlite, file);
  }

  tx<T>(run: () => T): T {
    if (this.sqlite.inTransaction) return this.sqlite.transaction(run)();
    return this.sqlite.transaction(run).immediate();
  }

  write<T>(run: () => T): Promise<T> {
    return this.batcher.submit(run);
  }

  prepare<Row = unknown>(sql: string): Statement<Row> {
    const statement = this.sqlite.prepare(sql);
    return {
      run: (params) => (params ? statement.run(params) : statement.run()),
      get: (params) => (params ? statement.get(params) : statement.get()) as Row | undefined,
      all: (params) => (params ? statement.all(params) : statement.all()) as Row[],
    };
  }

  migrationState() {
    return migrationState(this.sqlite);
  }

  /** PRAGMA integrity_check: ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return (this.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  }

  /** Online backup with SQLite's backup API; the appliance keeps running meanwhile. */
  async backupTo(destinationFile: string, onProgress?: (fraction: number) => void): Promise<void> {
    await this.sqlite.backup(destinationFile, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages === 0 ? 1 : (totalPages - remainingPages) / totalPages);
        return 200;
      },
    });
  }

  close(): void {
    this.batcher.drainAndClose();
    if (this.sqlite.open) {
      this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      this.sqlite.close();
    }
  }
}

export { openSqlite };
export { TableWriter } from './table-writer';
