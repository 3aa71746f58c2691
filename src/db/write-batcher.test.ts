import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../testing';
import { Database, type WalSyncer } from '.';
import { batchIsFull, DEFAULT_TURN_LIMITS } from './write-batcher';

/** An fdatasync that waits until the test releases it. */
class HeldSyncer implements WalSyncer {
  private readonly held: (() => void)[] = [];

  sync(fd: number, done: (error: Error | null) => void): void {
    this.held.push(() => {
      fs.fdatasyncSync(fd);
      done(null);
    });
  }

  syncNow(fd: number): void {
    fs.fdatasyncSync(fd);
  }

  get waiting(): number {
    return this.held.length;
  }

  release(): void {
    for (const run of this.held.splice(0)) run();
  }
}

function openDb(walSyncer?: WalSyncer): Database {
  return Database.open(path.join(makeTempDir('chargeyard-batcher-'), 'test.db'), { walSyncer });
}

function insertSetting(db: Database, key: string, busyMs = 0): () => void {
  const statement = db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES (@key, '1', 'now')");
  return () => {
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    statement.run({ key });
  };
}

async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('batchIsFull', () => {
  const limits = { maxWrites: 3, maxMs: 1, answersPerTurn: 32 };

  test('a batch goes on while it is under both the row and the time limit', () => {
    expect(batchIsFull(2, 100, 100.9, limits)).toBe(false);
  });

  test('it commits once it holds maxWrites writes', () => {
    expect(batchIsFull(3, 100, 100.1, limits)).toBe(true);
  });

  test('it commits once it has run maxMs, whatever the count', () => {
    expect(batchIsFull(1, 100, 101, limits)).toBe(true);
  });

  test('by default a batch runs about a millisecond, not ten', () => {
    expect(batchIsFull(1, 0, 1, DEFAULT_TURN_LIMITS)).toBe(true);
    expect(batchIsFull(1, 0, 0.5, DEFAULT_TURN_LIMITS)).toBe(false);
  });
});

describe('the group commit yields to other messages', () => {
  test('writes longer than the time limit are committed one batch each, so other work runs between them', async () => {
    const db = openDb();
    let between = 0;
    const writes = Array.from({ length: 4 }, (_, i) => db.write(insertSetting(db, `slow${i}`, 2 * DEFAULT_TURN_LIMITS.maxMs)));
    // Something else waiting for the event loop (an Authorize arriving) gets turns meanwhile.
    const other = setInterval(() => between++, 0);
    await Promise.all(writes);
    clearInterval(other);
    expect(db.batcher.stats.batches).toBe(4);
    expect(db.batcher.stats.writes).toBe(4);
    expect(between).toBeGreaterThanOrEqual(1);
    db.close();
  });

  test('the answers of a durable batch are delivered a slice per turn', async () => {
    const syncer = new HeldSyncer();
    const db = openDb(syncer);
    const count = DEFAULT_TURN_LIMITS.answersPerTurn * 3 + 5;
    let answered = 0;
    const writes = Array.from({ length: count }, (_, i) => db.write(insertSetting(db, `k${i}`)).then(() => answered++));
    while (db.batcher.pending > 0) await turns(1);
    expect(answered).toBe(0);
    // The first fdatasync covers the first batch; the second, started when it returned, the rest.
    syncer.release();
    syncer.release();
    // However many batches the fdatasync covered: one slice this turn (its continuations run
    // as microtasks right after it), the next one in the next turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(DEFAULT_TURN_LIMITS.answersPerTurn);
    await Promise.all(writes);
    expect(answered).toBe(count);
    db.close();
  });
});
