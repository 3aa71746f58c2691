import type { Sqlite } from './connection';

interface PendingWrite {
  run: () => unknown;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
}

export interface WriteBatcherStats {
  batches: number;
  writes: number;
  largestBatch: number;
}

/**
 * Group commit: writes submitted during one turn of the event loop run in a single SQLite
 * transaction, each inside its own SAVEPOINT so a failing write rolls back alone, and every
 * promise settles only after the COMMIT has returned. With synchronous=FULL that COMMIT is
 * durable, so a charger or API client is answered only once its change would survive a power
 * cut, while thousands of messages share one fsync.
 */
export class WriteBatcher {
  private queue: PendingWrite[] = [];
  private scheduled = false;
  private closed = false;
  readonly stats: WriteBatcherStats = { batches: 0, writes: 0, largestBatch: 0 };
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private readonly savepoint;
  private readonly release;
  private readonly rollbackToSavepoint;

  constructor(
    private readonly sqlite: Sqlite,
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
  }

  /** Runs `run` inside the next group commit; resolves with its result once committed. */
  submit<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The database is closing; the write was not made'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Commits everything still queued, synchronously (shutdown). Further submits are refused. */
  drainAndClose(): void {
    while (this.queue.length > 0) this.flush();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const startedMs = performance.now();
    const outcomes: { ok: boolean; value: unknown }[] = [];
    let taken = 0;
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
      for (const write of this.queue.splice(0, Math.max(taken, 1))) write.reject(error);
      this.scheduleIfPending();
      return;
    }
    const batch = this.queue.splice(0, taken);
    this.stats.batches++;
    this.stats.writes += batch.length;
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.ok) batch[i]!.resolve(outcome.value);
      else batch[i]!.reject(outcome.value);
    }
    this.scheduleIfPending();
  }

  private runOne(write: PendingWrite): { ok: boolean; value: unknown } {
    this.savepoint.run();
    try {
      const value = write.run();
      this.release.run();
      return { ok: true, value };
    } catch (error) {
      this.rollbackToSavepoint.run();
      this.release.run();
      return { ok: false, value: error };
    }
  }

  private scheduleIfPending(): void {
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}
