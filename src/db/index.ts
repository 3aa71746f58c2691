import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../shared';
import { openSqlite, openReader, createOrm, type Orm, type Sqlite } from './connection';
import { DEFAULT_CHECKPOINT_OPTIONS, WalCheckpoints, type CheckpointStats, type WalCheckpointOptions } from './checkpoints';
import { FDATASYNC, isStorageFailure, storageUnavailable, WalDurability, type DurabilityStats, type WalSyncer } from './durability';
import { migrate, migrationState } from './migrator';
import { RoutedStatement, routingClient, type StatementRouter } from './routing';
import { DEFAULT_TURN_LIMITS, WriteBatcher, type TurnLimits } from './write-batcher';

export { NewerDatabaseError, loadMigrations, migrationState } from './migrator';
export { isStorageFailure, storageUnavailable, type WalSyncer } from './durability';
export * as schema from './schema';
export { copyOpenedToPrivateFile, copyToPrivateFile, createPrivateFile, ensurePrivateDir, openRegularFileForReading, PlantedPathError, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenPrivateFile } from './private-files';

/**
 * What domain code gets: the drizzle ORM for queries, `tx` for an atomic unit (a savepoint when
 * already inside a transaction), and `write` for a change that must be durable before the caller
 * answers anyone (group-committed).
 *
 * Reads made outside a write see only durable state (see durability.ts), so an answer built from
 * them never depends on a commit a power cut could still undo. Inside `write`/`tx`, reads see
 * everything committed; an in-memory cache must not be filled from them (`inWrite`), and one
 * that is invalidated by a write is invalidated again once the write is durable (`afterDurable`),
 * or a read in between could fill it from the older durable state.
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
  /** True inside `write`/`tx`: reads may see commits that are not durable yet. */
  readonly inWrite: boolean;
  /** Runs `run` once everything committed so far (the open transaction included) is durable. */
  afterDurable(run: () => void): void;
  /**
   * Inside a write or transaction: runs `run` if the innermost savepoint or the transaction rolls
   * back, so a cache filled or changed inside it is undone with the rows (outside: nothing to undo).
   */
  onRollback(run: () => void): void;
}

export interface Statement<Row> {
  run(params?: Record<string, unknown>): { changes: number; lastInsertRowid: number | bigint };
  get(params?: Record<string, unknown>): Row | undefined;
  all(params?: Record<string, unknown>): Row[];
}

export interface DatabaseOptions {
  /** How the WAL is synced; a test passes one that fails like a broken disk. */
  walSyncer?: WalSyncer;
  checkpoints?: Partial<WalCheckpointOptions>;
  /** Problems of the background checkpointer (the appliance logs them). */
  onProblem?: (message: string) => void;
  /** How much work the group commit does per turn of the event loop (write-batcher.ts). */
  turnLimits?: Partial<TurnLimits>;
  /** While writes wait, an fdatasync starts at most this often (durability.ts; tests lengthen it). */
  syncIntervalMs?: number;
}

export interface DatabaseStats {
  durability: DurabilityStats;
  checkpoints: CheckpointStats;
}

/** What the free-space probe writes: room for a few commits' WAL frames. */
const PROBE_BYTES = 256 * 1024;

/** Distinct SQL texts kept prepared; drizzle builds a few hundred, `inArray` lists can make more. */
const MAX_CACHED_STATEMENTS = 2000;

export class Database implements Db {
  readonly orm: Orm;
  readonly batcher: WriteBatcher;
  private readonly durability: WalDurability;
  private readonly checkpoints: WalCheckpoints;
  private readonly router: StatementRouter;
  private readonly statements = new Map<string, RoutedStatement>();
  private readonly totalChanges: BetterSqlite3.Statement<[], number>;
  /** Depth of write transactions open on the writer (group commit or `tx`). */
  private writeDepth = 0;
  private readonly runAfterCommitDurable: (() => void)[] = [];
  /** Undo callbacks per open savepoint, innermost last (Db.onRollback). */
  private readonly rollbackScopes: (() => void)[][] = [];
  private closed = false;
  /** When a write last failed because of the disk; cleared by the next write the disk took. */
  private storageFailedAt: string | undefined;

  private constructor(
    private readonly sqlite: Sqlite,
    readonly file: string,
    walFd: number,
    options: DatabaseOptions,
  ) {
    this.totalChanges = sqlite.prepare<[], number>('SELECT total_changes()').pluck();
    const checkpointOptions = { ...DEFAULT_CHECKPOINT_OPTIONS, ...options.checkpoints };
    // The WAL size kept after the log starts over (SQLite cuts a longer file back to it): the hold
    // threshold, so the file grows past it only when the current round of the log did. Cutting a
    // longer log back to 4 MiB freed tens of MiB of blocks at each start-over, and that commit's
    // fsync then took 35–55 ms on this disk while writes waited (issue 17).
    sqlite.pragma(`journal_size_limit = ${checkpointOptions.holdWritesAtBytes}`);
    this.checkpoints = new WalCheckpoints(
      file,
      {
        walBytes: () => fs.fstatSync(walFd).size,
        quiet: () => !this.durability.behind && !this.durability.syncing,
        holdWrites: () => this.batcher.hold(),
        resumeWrites: () => this.batcher.resume(),
        onProblem: options.onProblem,
      },
      checkpointOptions,
    );
    this.durability = new WalDurability(
      walFd,
      () => openReader(file),
      options.walSyncer ?? FDATASYNC,
      () => this.checkpoints.afterSync(),
      () => this.batcher.pending > 0,
      options.syncIntervalMs,
    );
    this.router = {
      writer: sqlite,
      readConnection: () => (this.writeDepth > 0 ? sqlite : (this.durability.readConnection() ?? sqlite)),
      inWrite: () => this.writeDepth > 0,
      autocommit: (run) => this.tx(run),
    };
    this.orm = createOrm(routingClient(sqlite, (source) => this.routed(source)));
    this.batcher = new WriteBatcher(
      sqlite,
      {
        beforeWrite: () => this.beginWrite(),
        afterWrite: (changed) => this.endWrite(changed),
        whenDurable: (sequence, settle) => this.durability.whenDurable(sequence, settle),
        enterScope: () => this.enterScope(),
        leaveScope: (rolledBack) => this.leaveScope(rolledBack),
      },
      { ...DEFAULT_TURN_LIMITS, ...options.turnLimits },
    );
  }

  /** Opens (creating if needed) and migrates the database file. */
  static open(file: string, options: DatabaseOptions = {}): Database {
    const sqlite = openSqlite(file, { walSyncedByCaller: true });
    let walFd: number | undefined;
    try {
      migrate(sqlite);
      walFd = openWal(sqlite, file);
      // The migrations committed without waiting for the disk: durable before anything else.
      (options.walSyncer ?? FDATASYNC).syncNow(walFd);
      return new Database(sqlite, file, walFd, options);
    } catch (error) {
      if (walFd !== undefined) fs.closeSync(walFd);
      sqlite.close();
      throw error;
    }
  }

  get inWrite(): boolean {
    return this.writeDepth > 0;
  }

  tx<T>(run: () => T): T {
    if (this.writeDepth > 0) return this.inScope(() => this.sqlite.transaction(run)());
    this.assertOpen();
    // A transaction on its own (not in the group commit) is durable before it returns: one
    // fdatasync on the main thread. Hot paths use `write`; this is for jobs, the CLI, tests.
    this.beginWrite();
    const changesBefore = this.totalChanges.get();
    let result: T;
    try {
      result = this.inScope(() => this.sqlite.transaction(run).immediate());
    } catch (error) {
      this.endWrite(false); // rolled back: nothing was committed
      throw this.storageOutcome(error);
    }
    this.endWrite(this.totalChanges.get() !== changesBefore, false);
    try {
      this.durability.syncNow();
    } catch (error) {
      throw this.storageOutcome(error);
    }
    this.storageOutcome(undefined);
    this.checkpoints.afterSync();
    return result;
  }

  write<T>(run: () => T): Promise<T> {
    return this.batcher.submit(run).then(
      (value) => {
        this.storageOutcome(undefined);
        return value;
      },
      (error: unknown) => {
        throw this.storageOutcome(error);
      },
    );
  }

  /**
   * The disk failed the last write (full, I/O error) and has not taken one since: /health says
   * `degraded` (CONTRACT). `probe` checks whether space is free again without touching the
   * database: a file the size of a few pages written, synced and removed in the data folder.
   */
  storageDegraded(probe = false): boolean {
    if (this.storageFailedAt === undefined) return false;
    if (probe && this.diskTakesWrites()) this.storageFailedAt = undefined;
    return this.storageFailedAt !== undefined;
  }

  /**
   * The error a write would meet now, asked before a change that is made elsewhere and recorded
   * here afterwards (an OCPP command and its audit entry): 503 storage_unavailable while the disk
   * refuses writes (probing whether space is free again), else undefined.
   */
  writesRefused(): AppError | undefined {
    return this.storageDegraded(true) ? storageUnavailable(new Error(`the disk refused a write at ${this.storageFailedAt}`)) : undefined;
  }

  /**
   * Turns a disk failure into 503 storage_unavailable (and remembers it for /health); any other
   * outcome passes through. A write the disk took (`undefined`) ends the degraded state.
   */
  private storageOutcome(error: unknown): unknown {
    if (error === undefined) {
      this.storageFailedAt = undefined;
      return undefined;
    }
    if (!isStorageFailure(error)) return error;
    this.storageFailedAt = new Date().toISOString();
    return error instanceof AppError ? error : storageUnavailable(error);
  }

  private diskTakesWrites(): boolean {
    const probeFile = `${this.file}.space-probe`;
    try {
      const fd = fs.openSync(probeFile, 'w');
      try {
        fs.writeSync(fd, Buffer.alloc(PROBE_BYTES));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return true;
    } catch {
      return false;
    } finally {
      fs.rmSync(probeFile, { force: true });
    }
  }

  afterDurable(run: () => void): void {
    // Inside a transaction: once its own commit is durable (endWrite knows which one that is).
    if (this.writeDepth > 0) this.runAfterCommitDurable.push(run);
    else this.durability.whenDurable(this.durability.lastCommit, () => run());
  }

  onRollback(run: () => void): void {
    this.rollbackScopes[this.rollbackScopes.length - 1]?.push(run);
  }

  prepare<Row = unknown>(sql: string): Statement<Row> {
    const statement = this.routed(sql);
    return {
      run: (params) => (params ? statement.run(params) : statement.run()),
      get: (params) => (params ? statement.get(params) : statement.get()) as Row | undefined,
      all: (params) => (params ? statement.all(params) : statement.all()) as Row[],
    };
  }

  get stats(): DatabaseStats {
    return { durability: this.durability.stats, checkpoints: this.checkpoints.stats };
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
    if (this.closed) return;
    this.batcher.drainAndClose();
    this.closed = true;
    try {
      this.durability.syncNow();
    } finally {
      this.checkpoints.close();
      this.durability.close();
      if (this.sqlite.open) {
        this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
        this.sqlite.close();
      }
    }
  }

  private beginWrite(): void {
    this.durability.beforeWrite();
    this.writeDepth++;
  }

  private endWrite(changed: boolean, syncInBackground = true): number {
    this.writeDepth--;
    const sequence = this.durability.afterWrite(changed, syncInBackground);
    if (this.runAfterCommitDurable.length > 0) {
      const callbacks = this.runAfterCommitDurable.splice(0);
      // Also after a failed sync: what these do (forget a cache) is right either way.
      this.durability.whenDurable(sequence, () => {
        for (const callback of callbacks) callback();
      });
    }
    return sequence;
  }

  /** Runs `run` as one rollback scope: it rolled back if it threw (better-sqlite3's transaction rolls back then). */
  private inScope<T>(run: () => T): T {
    this.enterScope();
    let result: T;
    try {
      result = run();
    } catch (error) {
      this.leaveScope(true);
      throw error;
    }
    this.leaveScope(false);
    return result;
  }

  private enterScope(): void {
    this.rollbackScopes.push([]);
  }

  /** A scope that committed into its parent hands its undo callbacks up: the parent may still roll back. */
  private leaveScope(rolledBack: boolean): void {
    const undo = this.rollbackScopes.pop()!;
    if (rolledBack) {
      for (let index = undo.length - 1; index >= 0; index--) undo[index]!();
    } else if (this.rollbackScopes.length > 0) {
      this.rollbackScopes[this.rollbackScopes.length - 1]!.push(...undo);
    }
  }

  private routed(source: string): RoutedStatement {
    let statement = this.statements.get(source);
    if (statement) return statement;
    if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
    statement = new RoutedStatement(source, this.router);
    this.statements.set(source, statement);
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The database is closed');
  }
}

/** The WAL file's descriptor, for the fdatasync that makes commits durable. */
function openWal(sqlite: Sqlite, file: string): number {
  // A read makes SQLite open (and create) the -wal file of a database in WAL mode.
  sqlite.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get();
  return fs.openSync(`${file}-wal`, 'r');
}

export { openSqlite };
export { selectList, TableWriter } from './table-writer';
export { writeInPieces } from './write-pieces';
