import { Worker } from 'node:worker_threads';

/**
 * The checkpointer thread: its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` when asked.
 * A checkpoint copies WAL pages into the database file and fsyncs both files, which can take
 * many milliseconds; on the main thread that would stall every charger. PASSIVE never waits for
 * readers or the writer: it copies what it can. (The source is inline so that the same code runs
 * compiled and under ts-jest; it needs nothing but better-sqlite3.)
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.driverPath);
const sqlite = new Sqlite(workerData.file, { fileMustExist: true });
sqlite.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
// A checkpoint syncs the WAL before it copies and the database file after; never OFF.
sqlite.pragma('synchronous = FULL');
parentPort.on('message', () => {
  try {
    const [result] = sqlite.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: result.busy, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message) });
  }
});
`;

type CheckpointReply = { ok: true; busy: number; log: number; checkpointed: number } | { ok: false; message: string };

export interface WalCheckpointOptions {
  /**
   * A checkpoint starts once the WAL file is longer than this. A log that starts over is cut back
   * only to holdWritesAtBytes, so after a round that long passes follow every sync (at most every
   * passIntervalMs), each copying the little written since the one before.
   */
  checkpointAtBytes: number;
  /**
   * Past this length, new write batches wait (the event loop keeps serving reads) until every
   * commit is durable and a checkpoint has copied the whole WAL, so that the next commit starts
   * the log over. Under constant writes the log never drains by itself: each checkpoint finds
   * new commits after the ones it copied, and a log that never starts over grows without end.
   */
  holdWritesAtBytes: number;
  /**
   * A pass starts at most this long after the previous one ended (outside a hold). Under
   * constant writes the WAL stays past checkpointAtBytes, and a pass after every fdatasync (up to
   * 500 a second) cost a message to the worker and an fsync of both files each (issue 17).
   */
  passIntervalMs: number;
}

export const DEFAULT_CHECKPOINT_OPTIONS: WalCheckpointOptions = {
  checkpointAtBytes: 4 * 1024 * 1024,
  holdWritesAtBytes: 64 * 1024 * 1024,
  passIntervalMs: 50,
};

/** The hold threshold never grows past this when checkpoints cannot complete (another process reads). */
const MAX_HOLD_AT_BYTES = 1024 * 1024 * 1024;

export interface CheckpointHooks {
  walBytes(): number;
  /** Every commit durable and no sync under way: nothing but the WAL itself holds back a checkpoint. */
  quiet(): boolean;
  holdWrites(): void;
  resumeWrites(): void;
  onProblem?(message: string): void;
}

export interface CheckpointStats {
  checkpoints: number;
  /** Times writes were held so the WAL could start over, and the longest such hold. */
  holds: number;
  longestHoldMs: number;
  largestWalBytes: number;
}

/**
 * When to checkpoint, and when to hold writes so the WAL starts over (see WalCheckpointOptions).
 * The worker thread starts on the first checkpoint, so short-lived databases (tests, the CLI)
 * never pay for it.
 */
export class WalCheckpoints {
  private worker: Worker | undefined;
  private running = false;
  /** The running pass began while writes were held and everything was durable. */
  private runningPassIsFinal = false;
  private holdStartedMs: number | undefined;
  private lastPassEndedMs = Number.NEGATIVE_INFINITY;
  private holdAtBytes: number;
  private closed = false;
  readonly stats: CheckpointStats = { checkpoints: 0, holds: 0, longestHoldMs: 0, largestWalBytes: 0 };

  constructor(
    private readonly file: string,
    private readonly hooks: CheckpointHooks,
    private readonly options: WalCheckpointOptions = DEFAULT_CHECKPOINT_OPTIONS,
    private readonly busyTimeoutMs = 5000,
  ) {
    this.holdAtBytes = options.holdWritesAtBytes;
  }

  get holding(): boolean {
    return this.holdStartedMs !== undefined;
  }

  /** Looks at the WAL after each completed sync (and after a synchronous one). */
  afterSync(): void {
    if (this.closed) return;
    const bytes = this.hooks.walBytes();
    if (bytes > this.stats.largestWalBytes) this.stats.largestWalBytes = bytes;
    if (!this.holding && bytes > this.holdAtBytes) {
      this.holdStartedMs = performance.now();
      this.stats.holds++;
      this.hooks.holdWrites();
    }
    if (this.running) return;
    if (this.holding) {
      if (this.hooks.quiet()) this.run(true);
    } else if (bytes > this.options.checkpointAtBytes && performance.now() - this.lastPassEndedMs >= this.options.passIntervalMs) {
      this.run(false);
    }
  }

  close(): void {
    this.closed = true;
    this.endHold();
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }

  private run(final: boolean): void {
    this.running = true;
    this.runningPassIsFinal = final;
    this.ensureWorker().postMessage('checkpoint');
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: { file: this.file, driverPath: require.resolve('better-sqlite3'), busyTimeoutMs: this.busyTimeoutMs },
      // A checkpoint needs almost no JavaScript heap; keep the thread small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    worker.on('message', (reply: CheckpointReply) => this.finished(reply));
    worker.on('error', (error) => this.workerGone(`checkpointer failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.workerGone(`checkpointer exited (${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private finished(reply: CheckpointReply): void {
    this.running = false;
    this.lastPassEndedMs = performance.now();
    this.stats.checkpoints++;
    if (this.closed) return;
    if (!reply.ok) {
      this.hooks.onProblem?.(`checkpoint failed: ${reply.message}`);
      this.endHold();
      return;
    }
    if (!this.holding) return;
    if (this.runningPassIsFinal) {
      const complete = reply.busy === 0 && reply.log === reply.checkpointed;
      // Incomplete although nothing here was writing: another process holds an old snapshot.
      // Writes go on; the next hold waits for a longer log instead of stalling again at once.
      this.holdAtBytes = complete ? this.options.holdWritesAtBytes : Math.min(this.holdAtBytes * 2, MAX_HOLD_AT_BYTES);
      this.endHold();
    } else if (this.hooks.quiet()) {
      this.run(true);
    }
  }

  private workerGone(message: string): void {
    this.worker = undefined;
    this.running = false;
    this.hooks.onProblem?.(message);
    this.endHold();
  }

  private endHold(): void {
    if (this.holdStartedMs === undefined) return;
    const heldMs = performance.now() - this.holdStartedMs;
    if (heldMs > this.stats.longestHoldMs) this.stats.longestHoldMs = heldMs;
    this.holdStartedMs = undefined;
    this.hooks.resumeWrites();
  }
}
