import path from 'node:path';
import { makeTempDir } from '../testing';
import { openSqlite } from './connection';
import { Database, NewerDatabaseError, loadMigrations } from '.';

describe('database migrations', () => {
  test('every migration applies to an empty database, each recorded', () => {
    const file = path.join(makeTempDir(), 'fresh.db');
    const db = Database.open(file);
    const state = db.migrationState();
    expect(state.pending).toEqual([]);
    expect(state.applied.map((row) => row.tag)).toEqual(loadMigrations().map((migration) => migration.tag));
    expect(db.integrityCheck()).toEqual(['ok']);
    db.close();
  });

  test('the PRAGMAs are written out: WAL, synchronous FULL, foreign keys, busy timeout', () => {
    const sqlite = openSqlite(path.join(makeTempDir(), 'pragmas.db'));
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    sqlite.close();
  });

  test('reopening applies nothing twice', () => {
    const file = path.join(makeTempDir(), 'twice.db');
    Database.open(file).close();
    const db = Database.open(file);
    expect(db.migrationState().pending).toEqual([]);
    db.close();
  });

  test('a database written by a newer version is refused', () => {
    const file = path.join(makeTempDir(), 'newer.db');
    Database.open(file).close();
    const sqlite = openSqlite(file);
    sqlite.prepare('INSERT INTO schema_migrations (tag, hash, applied_at) VALUES (?, ?, ?)').run('29991231235959_future', 'x', new Date().toISOString());
    sqlite.close();
    expect(() => Database.open(file)).toThrow(NewerDatabaseError);
  });
});

describe('group commit', () => {
  test('writes in one batch settle after one commit; a failing write rolls back alone', async () => {
    const db = Database.open(path.join(makeTempDir(), 'batch.db'));
    const statement = db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES (@key, '1', 'now')");
    const insert = (key: string) => () => statement.run({ key });
    const results = await Promise.allSettled([
      db.write(insert('a')),
      db.write(() => {
        insert('b')();
        throw new Error('boom');
      }),
      db.write(insert('c')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const keys = db.prepare<{ key: string }>('SELECT key FROM settings ORDER BY key').all();
    expect(keys.map((row) => row.key)).toEqual(['a', 'c']);
    expect(db.batcher.stats.batches).toBe(1);
    db.close();
  });
});
