import type { Sqlite } from './connection';

interface PendingWrite {
  run: () => unknown;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
}

interface WriteBatcherStats {
  batches: number;
  writes: number;
  largestBatch: number;
}

/** What the batcher needs around each transaction (Database wires WalDurability in). */
export interface CommitPipeline {
  /** Before BEGIN. */
  beforeWrite(): void;
  /** After COMMIT or ROLLBACK; returns the commit whose durability the batch's answers wait for. */
  afterWrite(changed: boolean): number;
  /** `settle` runs once that commit is durable, or with the error that kept it from the disk. */
  whenDurable(sequence: number, settle: (error: Error | undefined) => void): void;
  /** A savepoint (or the whole batch) begins: what rolls back with it is collected from now. */
  enterScope(): void;
  /** It ended; `rolledBack` runs what was registered to undo (Db.onRollback). */
  leaveScope(rolledBack: boolean): void;
}

/**
 * Group commit: writes submitted during one turn of the event loop run in a single SQLite
 * transaction, each inside its own SAVEPOINT so a failing write rolls back alone. The COMMIT does
 * not wait for the disk (synchronous=NORMAL); every promise settles only once the fdatasync that
 * covers the commit has returned (WalDurability), while the next batches commit meanwhile. So a
 * charger or API client is answered only once its change would survive a power cut, thousands
 * of messages share one fdatasync, and the event loop never waits for the disk.
 */
export class WriteBatcher {
  private queue: PendingWrite[] = [];
  private scheduled = false;
  private closed = false;
  private held = false;
  readonly stats: WriteBatcherStats = { batches: 0, writes: 0, largestBatch: 0 };
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private readonly savepoint;
  private readonly release;
  private readonly rollbackToSavepoint;
  private readonly totalChanges;

  constructor(
    private readonly sqlite: Sqlite,
    private readonly pipeline: CommitPipeline,
    private readonly maxBatchSize = 5000,
    /**
     * A batch stops taking writes after this much work and commits, so a burst of thousands of
     * MeterValues never holds the event loop long enough to delay an Authorize or a heartbeat
     * behind it; the rest follow in the next turn.
     */
    private readonly maxBatchMs = 10,
  ) {
    this.begin = sqlite.prepare('BEGIN IMMEDIATE');
    this.commit = sqlite.prepare('COMMIT');
    this.rollback = sqlite.prepare('ROLLBACK');
    this.savepoint = sqlite.prepare('SAVEPOINT batched_write');
    this.release = sqlite.prepare('RELEASE batched_write');
    this.rollbackToSavepoint = sqlite.prepare('ROLLBACK TO batched_write');
    this.totalChanges = sqlite.prepare('SELECT total_changes()').pluck();
  }

  /** Runs `run` inside the next group commit; resolves with its result once durable. */
  submit<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The database is closing; the write was not made'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      this.scheduleIfPending();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes wait in the queue until `resume` (the WAL is being checkpointed so it can start over). */
  hold(): void {
    this.held = true;
  }

  resume(): void {
    this.held = false;
    this.scheduleIfPending();
  }

  /** Commits everything still queued, synchronously (shutdown). Further submits are refused. */
  drainAndClose(): void {
    this.held = false;
    while (this.queue.length > 0) this.flush();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0 || this.held) return;
    const startedMs = performance.now();
    const outcomes: { ok: boolean; value: unknown }[] = [];
    let taken = 0;
    this.pipeline.beforeWrite();
    this.pipeline.enterScope();
    const changesBefore = this.totalChanges.get();
    try {
      this.begin.run();
      const limit = Math.min(this.queue.length, this.maxBatchSize);
      while (taken < limit) {
        outcomes.push(this.runOne(this.queue[taken]!));
        taken++;
        if ((taken & 15) === 0 && performance.now() - startedMs > this.maxBatchMs) break;
      }
      this.commit.run();
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing of this batch is durable.
      if (this.sqlite.inTransaction) this.rollback.run();
      this.pipeline.leaveScope(true);
      this.pipeline.afterWrite(false);
      for (const write of this.queue.splice(0, Math.max(taken, 1))) write.reject(error);
      this.scheduleIfPending();
      return;
    }
    this.pipeline.leaveScope(false);
    const sequence = this.pipeline.afterWrite(this.totalChanges.get() !== changesBefore);
    const batch = this.queue.splice(0, taken);
    this.stats.batches++;
    this.stats.writes += batch.length;
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;
    // Also a batch that changed nothing waits: what it read may be a commit not yet durable.
    this.pipeline.whenDurable(sequence, (syncError) => {
      for (let i = 0; i < batch.length; i++) {
        const outcome = outcomes[i]!;
        if (syncError) batch[i]!.reject(syncError);
        else if (outcome.ok) batch[i]!.resolve(outcome.value);
        else batch[i]!.reject(outcome.value);
      }
    });
    this.scheduleIfPending();
  }

  private runOne(write: PendingWrite): { ok: boolean; value: unknown } {
    this.savepoint.run();
    this.pipeline.enterScope();
    try {
      const value = write.run();
      this.release.run();
      this.pipeline.leaveScope(false);
      return { ok: true, value };
    } catch (error) {
      if (!this.sqlite.inTransaction) {
        // A disk-full or I/O error ended the whole transaction already (SQLite rolls back on
        // SQLITE_FULL): the batch fails with that error in flush, not the missing savepoint's.
        this.pipeline.leaveScope(true);
        throw error;
      }
      this.rollbackToSavepoint.run();
      this.release.run();
      this.pipeline.leaveScope(true);
      return { ok: false, value: error };
    }
  }

  private scheduleIfPending(): void {
    if (this.queue.length > 0 && !this.scheduled && !this.held) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}
