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

/** A write's outcome waiting to be delivered to its caller. */
interface Answer {
  write: PendingWrite;
  ok: boolean;
  value: unknown;
}

/**
 * How much uninterrupted work one turn of the event loop may do: a batch stops taking writes
 * once it holds `maxWrites` or has run `maxMs`, and answers are delivered `answersPerTurn` at a
 * time. An Authorize or a heartbeat arriving meanwhile waits at most about that long (issue 17:
 * with a 10 ms batch, Authorize p99 was 17 ms behind 1,000 chargers' MeterValues).
 */
export interface TurnLimits {
  maxWrites: number;
  maxMs: number;
  answersPerTurn: number;
}

export const DEFAULT_TURN_LIMITS: TurnLimits = { maxWrites: 5000, maxMs: 1, answersPerTurn: 32 };

/** Whether a batch that has taken `taken` writes since `startedMs` must commit now. */
export function batchIsFull(taken: number, startedMs: number, nowMs: number, limits: TurnLimits): boolean {
  return taken >= limits.maxWrites || nowMs - startedMs >= limits.maxMs;
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
 * transaction (up to TurnLimits; the rest in the next turn), each inside its own SAVEPOINT so a
 * failing write rolls back alone. The COMMIT does
 * not wait for the disk (synchronous=NORMAL); every promise settles only once the fdatasync that
 * covers the commit has returned (WalDurability), while the next batches commit meanwhile. So a
 * charger or API client is answered only once its change would survive a power cut, thousands
 * of messages share one fdatasync, and the event loop never waits for the disk.
 */
export class WriteBatcher {
  private queue: PendingWrite[] = [];
  private scheduled = false;
  /** Outcomes of durable batches not yet delivered (a slice per turn). */
  private answers: Answer[] = [];
  private answering = false;
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
    /**
     * A batch commits after this much work, so a burst of thousands of MeterValues never holds
     * the event loop long enough to delay an Authorize or a heartbeat behind it; the rest follow
     * in the next turn, and the batches committed while one fdatasync runs share the next.
     */
    private readonly limits: TurnLimits = DEFAULT_TURN_LIMITS,
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
      const queued = this.queue.length;
      while (taken < queued) {
        outcomes.push(this.runOne(this.queue[taken]!));
        taken++;
        if (batchIsFull(taken, startedMs, performance.now(), this.limits)) break;
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
    // Out of the queue first: what is still queued after it decides whether its sync waits for company.
    const batch = this.queue.splice(0, taken);
    const sequence = this.pipeline.afterWrite(this.totalChanges.get() !== changesBefore);
    this.stats.batches++;
    this.stats.writes += batch.length;
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;
    // Also a batch that changed nothing waits: what it read may be a commit not yet durable.
    this.pipeline.whenDurable(sequence, (syncError) => {
      for (let i = 0; i < batch.length; i++) {
        const outcome = outcomes[i]!;
        this.answers.push(syncError ? { write: batch[i]!, ok: false, value: syncError } : { write: batch[i]!, ...outcome });
      }
      // Delivered from the check phase of this turn, a slice at a time: several batches made
      // durable by one fdatasync are not all answered in one go.
      if (!this.answering) {
        this.answering = true;
        setImmediate(() => this.answerSlice());
      }
    });
    this.scheduleIfPending();
  }

  /**
   * Delivers a slice of the waiting answers; the callers' continuations (sending each answer,
   * the hooks after it) run as microtasks right after, so the rest wait for the next turn and
   * messages that arrived meanwhile are read first.
   */
  private answerSlice(): void {
    const slice = this.answers.length <= this.limits.answersPerTurn ? this.answers.splice(0) : this.answers.splice(0, this.limits.answersPerTurn);
    for (const answer of slice) {
      if (answer.ok) answer.write.resolve(answer.value);
      else answer.write.reject(answer.value);
    }
    this.answering = this.answers.length > 0;
    if (this.answering) setImmediate(() => this.answerSlice());
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
