/** A budget of slow checks one key (a user name, a charger, an address) may have in flight. */
export interface LimitedKey {
  key: string;
  maxInFlight: number;
}

export interface HashingLimits {
  /** Slow hashes (scrypt) running at once in the whole process. */
  running: number;
  /** Hashes waiting for a free slot; beyond this a check is refused as busy. */
  waiting: number;
}

/**
 * scrypt runs on libuv's small thread pool, the same pool the database's file syncs and every file
 * read use. Left alone, a flood of wrong passwords would queue hundreds of 32 MiB hashes there and
 * stall the ledger's commits behind them. Two slots out of four leave the pool to the disk.
 */
export const DEFAULT_HASHING_LIMITS: HashingLimits = { running: 2, waiting: 64 };

/** What `run` answers when a key already has its budget in flight or the waiting line is full. */
export const HASHING_BUSY = Symbol('hashing busy');

/** Runs one slow hash inside a check once a process-wide slot is free. */
export type Hasher = <T>(work: () => Promise<T>) => Promise<T>;

class WaitingLineFull extends Error {}

/**
 * Caps concurrent password and PIN hashing per identity and per address, and in the whole
 * process, so guesses sent all at once cannot burn the CPU or starve the disk (issue 13). A check
 * enters under its keys (refused at once when one of them is at its budget); its hash then waits
 * for one of the process-wide slots.
 */
export class HashingLimiter {
  private readonly inFlight = new Map<string, number>();
  private runningCount = 0;
  private readonly waitingLine: (() => void)[] = [];

  constructor(private readonly limits: HashingLimits = DEFAULT_HASHING_LIMITS) {}

  async run<T>(keys: readonly LimitedKey[], check: (hash: Hasher) => Promise<T>): Promise<T | typeof HASHING_BUSY> {
    if (keys.some((entry) => (this.inFlight.get(entry.key) ?? 0) >= entry.maxInFlight)) return HASHING_BUSY;
    for (const entry of keys) this.inFlight.set(entry.key, (this.inFlight.get(entry.key) ?? 0) + 1);
    try {
      return await check((work) => this.hash(work));
    } catch (error) {
      if (error instanceof WaitingLineFull) return HASHING_BUSY;
      throw error;
    } finally {
      for (const entry of keys) {
        const left = this.inFlight.get(entry.key)! - 1;
        if (left === 0) this.inFlight.delete(entry.key);
        else this.inFlight.set(entry.key, left);
      }
    }
  }

  /** Checks in flight under a key (tests and the benchmark watch it). */
  inFlightOf(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  private async hash<T>(work: () => Promise<T>): Promise<T> {
    if (this.runningCount >= this.limits.running) {
      if (this.waitingLine.length >= this.limits.waiting) throw new WaitingLineFull();
      // The slot is handed over by the hash that finishes (runningCount stays as it is).
      await new Promise<void>((resolve) => this.waitingLine.push(resolve));
    } else {
      this.runningCount++;
    }
    try {
      return await work();
    } finally {
      const next = this.waitingLine.shift();
      if (next) next();
      else this.runningCount--;
    }
  }
}
