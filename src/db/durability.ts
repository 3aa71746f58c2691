import fs from 'node:fs';
import { AppError, assert } from '../shared';
import type { Sqlite } from './connection';

/**
 * How the WAL reaches the disk: `fs.fdatasync` on libuv's thread pool, or synchronously for the
 * rare write that must be durable before the call returns. Tests replace it to make the disk
 * fail (EIO) where no failing disk is at hand.
 */
export interface WalSyncer {
  sync(fd: number, done: (error: Error | null) => void): void;
  syncNow(fd: number): void;
}

export const FDATASYNC: WalSyncer = {
  sync: (fd, done) => fs.fdatasync(fd, done),
  syncNow: (fd) => fs.fdatasyncSync(fd),
};

/**
 * SQLite's answers when the disk, not the write, is at fault: full, failing, or gone read-only
 * (CONTRACT "JSON API": nothing is acknowledged that was not committed, 503 storage_unavailable).
 */
const STORAGE_ERROR_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

export function isStorageFailure(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'storage_unavailable';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (STORAGE_ERROR_CODES.test(code) || code === 'ENOSPC' || code === 'EIO' || code === 'EROFS');
}

/** A write committed in SQLite that could not be made durable: its callers were never answered yes. */
export function storageUnavailable(cause: unknown): AppError {
  const error = new AppError('storage_unavailable', 'The database could not be written to disk; nothing was saved, retry later', 503);
  error.cause = cause;
  return error;
}

/**
 * A reader connection that holds one read transaction open, and so one snapshot of the database:
 * what it reads stays exactly as it was when `open()` ran, whatever commits after that.
 */
class SnapshotReader {
  private readonly begin;
  private readonly touch;
  private readonly end;

  constructor(readonly sqlite: Sqlite) {
    this.begin = sqlite.prepare('BEGIN');
    // BEGIN alone takes no snapshot; the first read does.
    this.touch = sqlite.prepare('SELECT 1 FROM sqlite_schema LIMIT 1');
    this.end = sqlite.prepare('COMMIT');
  }

  open(): void {
    this.begin.run();
    this.touch.get();
  }

  release(): void {
    if (this.sqlite.inTransaction) this.end.run();
  }
}

/**
 * While more writes wait in the queue, an fdatasync starts at most this often: the batches
 * committed meanwhile share it. With ~1 ms batches each started its own, and the syncs' kernel
 * time cost more CPU per MeterValues than the batches did (issue 17). With nothing waiting, the
 * sync starts at once, so a lone StartTransaction never waits for this.
 */
const MIN_SYNC_INTERVAL_MS = 2;

/**
 * At most this many fdatasyncs run at once. A commit made while one runs need not wait for it to
 * return before its own starts (the wait for the one under way, and the event-loop turn that
 * notices it returned, were most of a StartTransaction's time on disk: issue 17). Each covers
 * every commit made before it started, whichever returns first.
 */
const MAX_SYNCS_IN_FLIGHT = 2;

/** At most this many reader connections: one durable snapshot, one per sync under way, a spare. */
const MAX_READERS = MAX_SYNCS_IN_FLIGHT + 2;

/** An fdatasync under way: the last commit it covers, and a snapshot of exactly that state. */
interface SyncInFlight {
  sequence: number;
  snapshot: SnapshotReader;
}

interface Waiter {
  sequence: number;
  settle: (error: Error | undefined) => void;
}

export interface DurabilityStats {
  syncs: number;
  failedSyncs: number;
  /** Commits whose answers waited for an fdatasync. */
  commits: number;
}

/**
 * Durable commits without waiting for the disk on the main thread. The writer runs with
 * synchronous=NORMAL: a COMMIT writes the WAL but does not sync it. Commits are numbered; one
 * `fdatasync` of the WAL at a time runs on libuv's thread pool and, when it returns, every commit
 * made before it started is durable. Callers of `whenDurable` are answered only then (or get a
 * storage error if the sync failed). The power-loss harness showed NORMAL plus this fdatasync
 * keeps every acknowledged commit, as FULL does (../shared/tools/powerloss/README.md).
 *
 * A commit is visible to readers as soon as it is made, before it is durable. So that no request
 * answers from state a power cut could still take away (an Authorize reading a top-up that is not
 * on disk yet, a duplicate StartTransaction answered from a row not yet synced), reads outside a
 * write transaction go, while a commit is not yet durable, to a reader connection holding a
 * snapshot of the last durable state. The snapshot moves forward each time a sync completes,
 * before the writers it covers are answered, so a caller that was answered reads its own write.
 * When everything committed is durable, reads go to the writer itself (its page cache is warm).
 */
export class WalDurability {
  private committedSequence = 0;
  private durableSequence = 0;
  /** The syncs under way, oldest first (each covers more commits than the one before). */
  private readonly inFlight: SyncInFlight[] = [];
  /** Snapshot of the durable state; held exactly while a commit is not yet durable. */
  private current: SnapshotReader | undefined;
  private readonly free: SnapshotReader[] = [];
  private readerCount = 0;
  private readonly waiters: Waiter[] = [];
  private lastSyncStartedMs = Number.NEGATIVE_INFINITY;
  /** The sync put off while writes wait (see MIN_SYNC_INTERVAL_MS). */
  private deferredSync: NodeJS.Timeout | undefined;
  private closed = false;
  readonly stats: DurabilityStats = { syncs: 0, failedSyncs: 0, commits: 0 };

  constructor(
    private readonly walFd: number,
    private readonly openReader: () => Sqlite,
    private readonly syncer: WalSyncer = FDATASYNC,
    /** Called after each completed sync (checkpoint scheduling looks at the WAL then). */
    private readonly afterSync: () => void = () => undefined,
    /** Whether more writes wait to be committed (the group commit's queue). */
    private readonly writesWaiting: () => boolean = () => false,
    private readonly minSyncIntervalMs: number = MIN_SYNC_INTERVAL_MS,
  ) {}

  /** The number of the newest commit. */
  get lastCommit(): number {
    return this.committedSequence;
  }

  /** True while some commit is not yet durable. */
  get behind(): boolean {
    return this.committedSequence > this.durableSequence;
  }

  get syncing(): boolean {
    return this.inFlight.length > 0;
  }

  /** Commits no sync under way covers yet, and room for another sync. */
  private get syncWanted(): boolean {
    const covered = this.inFlight.length > 0 ? this.inFlight[this.inFlight.length - 1]!.sequence : this.durableSequence;
    return this.committedSequence > covered && this.inFlight.length < MAX_SYNCS_IN_FLIGHT;
  }

  /** The connection for reads outside a write: a durable snapshot, or undefined for the writer. */
  readConnection(): Sqlite | undefined {
    return this.current?.sqlite;
  }

  /**
   * Before a write transaction begins. When everything is durable now, a reader keeps this
   * state: once the transaction commits, it is the durable state until the sync returns.
   */
  beforeWrite(): void {
    if (this.current === undefined && !this.closed) {
      this.current = this.takeReader();
      this.current.open();
    }
  }

  /**
   * After a write transaction ended (committed, or rolled back with `changed` false). Returns
   * the commit that answers depending on it must wait for: its own, or the last one before it.
   */
  afterWrite(changed: boolean, syncInBackground = true): number {
    if (changed) {
      this.committedSequence++;
      this.stats.commits++;
      // A caller that calls syncNow next needs no sync on the thread pool as well.
      if (syncInBackground && this.syncWanted) this.syncSoon();
    } else {
      this.releaseWhenAllDurable();
    }
    return this.committedSequence;
  }

  /** Calls `settle` once commit `sequence` is durable, or with the error when it cannot be. */
  whenDurable(sequence: number, settle: (error: Error | undefined) => void): void {
    if (sequence <= this.durableSequence) settle(undefined);
    else this.waiters.push({ sequence, settle });
  }

  /**
   * Makes every commit durable before returning (a transaction outside the group commit, and
   * shutdown), blocking the main thread for one fdatasync. Throws a storage error if it fails.
   */
  syncNow(): void {
    if (!this.behind) return;
    const upTo = this.committedSequence;
    try {
      this.stats.syncs++;
      this.syncer.syncNow(this.walFd);
    } catch (error) {
      this.stats.failedSyncs++;
      const failure = storageUnavailable(error);
      this.fail(upTo, failure);
      throw failure;
    }
    this.advanceTo(upTo, undefined);
    this.releaseWhenAllDurable();
    this.settleWaiters();
  }

  /** Stops: the caller made everything durable (syncNow) first. Closes the readers and the WAL fd. */
  close(): void {
    this.closed = true;
    clearTimeout(this.deferredSync);
    this.deferredSync = undefined;
    for (const reader of [this.current, ...this.inFlight.map((sync) => sync.snapshot), ...this.free]) {
      if (reader && reader.sqlite.open) reader.sqlite.close();
    }
    this.current = undefined;
    this.free.length = 0;
    // A sync on the thread pool still uses the fd; it is closed when the last one returns.
    if (this.inFlight.length === 0) fs.closeSync(this.walFd);
    const closing = new Error('The database closed before the write was made durable');
    this.fail(Number.MAX_SAFE_INTEGER, storageUnavailable(closing));
  }

  /** Starts a sync now, or, while writes wait and one started moments ago, once the interval has passed. */
  private syncSoon(): void {
    const sinceLastMs = performance.now() - this.lastSyncStartedMs;
    if (!this.writesWaiting() || sinceLastMs >= this.minSyncIntervalMs) {
      this.startSync();
      return;
    }
    this.deferredSync ??= setTimeout(() => {
      this.deferredSync = undefined;
      if (!this.closed && this.syncWanted) this.startSync();
    }, this.minSyncIntervalMs - sinceLastMs);
  }

  private startSync(): void {
    if (this.deferredSync !== undefined) {
      clearTimeout(this.deferredSync);
      this.deferredSync = undefined;
    }
    this.lastSyncStartedMs = performance.now();
    const snapshot = this.takeReader();
    snapshot.open();
    const sync: SyncInFlight = { sequence: this.committedSequence, snapshot };
    this.inFlight.push(sync);
    this.stats.syncs++;
    this.syncer.sync(this.walFd, (error) => this.syncDone(sync, error));
  }

  private syncDone(sync: SyncInFlight, error: Error | null): void {
    this.inFlight.splice(this.inFlight.indexOf(sync), 1);
    if (this.closed) {
      if (this.inFlight.length === 0) fs.closeSync(this.walFd);
      return;
    }
    const { sequence, snapshot } = sync;
    if (error) {
      this.stats.failedSyncs++;
      this.giveBack(snapshot);
      // Its callers are told the write failed. A later sync that succeeds makes these commits
      // durable after all; an Idempotency-Key retry then gets the first answer.
      if (sequence > this.durableSequence) this.fail(sequence, storageUnavailable(error));
    } else if (sequence > this.durableSequence) {
      this.advanceTo(sequence, snapshot);
    } else {
      this.giveBack(snapshot); // a sync started later (or syncNow) returned first
    }
    this.releaseWhenAllDurable();
    // After a failure, only newer commits start another sync (it covers the failed ones too).
    if (this.syncWanted && (!error || this.committedSequence > sequence)) this.syncSoon();
    // Readers moved first: a caller answered now reads its own write.
    this.settleWaiters();
    this.afterSync();
  }

  /** Commits up to `sequence` are durable; `snapshot` (if any) shows exactly that state. */
  private advanceTo(sequence: number, snapshot: SnapshotReader | undefined): void {
    this.durableSequence = sequence;
    this.giveBack(this.current);
    this.current = snapshot;
    // Only syncNow advances without a snapshot, and it covers every commit.
    assert(this.current !== undefined || !this.behind, 'a snapshot of the durable state is held while commits are not durable');
  }

  private releaseWhenAllDurable(): void {
    if (!this.behind && this.current !== undefined) {
      this.giveBack(this.current);
      this.current = undefined;
    }
  }

  private settleWaiters(): void {
    let settled = 0;
    while (settled < this.waiters.length && this.waiters[settled]!.sequence <= this.durableSequence) settled++;
    for (const waiter of this.waiters.splice(0, settled)) waiter.settle(undefined);
  }

  private fail(upTo: number, error: Error): void {
    let failed = 0;
    while (failed < this.waiters.length && this.waiters[failed]!.sequence <= upTo) failed++;
    for (const waiter of this.waiters.splice(0, failed)) waiter.settle(error);
  }

  private takeReader(): SnapshotReader {
    const reader = this.free.pop();
    if (reader) return reader;
    if (this.readerCount >= MAX_READERS) throw new Error('durability: every snapshot reader is in use');
    this.readerCount++;
    return new SnapshotReader(this.openReader());
  }

  private giveBack(reader: SnapshotReader | undefined): void {
    if (!reader) return;
    reader.release();
    this.free.push(reader);
  }
}
