import path from 'node:path';
import { makeTempDir } from '../testing';
import { openSqlite } from './connection';
import { migrate } from './migrator';
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
    // No time limit: a cold process may take over a millisecond for the failing write alone.
    const db = Database.open(path.join(makeTempDir(), 'batch.db'), { turnLimits: { maxMs: 60_000 } });
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

describe('the evse_connectors migration (issue 14)', () => {
  test('existing connector rows and their history become connector 1 of their EVSE; a second connector gets its own row', () => {
    const all = loadMigrations();
    const index = all.findIndex((migration) => migration.tag.endsWith('_evse_connectors'));
    expect(index).toBeGreaterThan(0);
    const sqlite = openSqlite(path.join(makeTempDir(), 'evse.db'));
    migrate(sqlite, all.slice(0, index));
    const at = '2026-12-01T10:00:00.000Z';
    sqlite.prepare("INSERT INTO chargers (id, registration, created_at, updated_at) VALUES ('CP-OLD', 'accepted', ?, ?)").run(at, at);
    sqlite.prepare("INSERT INTO connectors (charger_id, connector_id, evse_id, status, error_code, status_at, received_at) VALUES ('CP-OLD', 1, 1, 'Charging', 'NoError', ?, ?)").run(at, at);
    sqlite.prepare("INSERT INTO connector_status_history (charger_id, connector_id, status, status_at, received_at) VALUES ('CP-OLD', 1, 'Charging', ?, ?)").run(at, at);
    migrate(sqlite, all);
    expect(sqlite.prepare('SELECT connector_id, evse_connector_id, evse_id, status FROM connectors').all()).toEqual([{ connector_id: 1, evse_connector_id: 1, evse_id: 1, status: 'Charging' }]);
    expect(sqlite.prepare('SELECT connector_id, evse_connector_id, status FROM connector_status_history').all()).toEqual([{ connector_id: 1, evse_connector_id: 1, status: 'Charging' }]);
    sqlite.prepare("INSERT INTO connectors (charger_id, connector_id, evse_connector_id, evse_id, status, status_at, received_at) VALUES ('CP-OLD', 1, 2, 1, 'Available', ?, ?)").run(at, at);
    expect(sqlite.prepare('SELECT count(*) AS n FROM connectors').get()).toEqual({ n: 2 });
    // The cascade from chargers survived the table rebuild.
    sqlite.prepare("DELETE FROM chargers WHERE id = 'CP-OLD'").run();
    expect(sqlite.prepare('SELECT count(*) AS n FROM connectors').get()).toEqual({ n: 0 });
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    sqlite.close();
  });
});
