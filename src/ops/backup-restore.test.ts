import fs from 'node:fs';
import path from 'node:path';
import { Database, openSqlite } from '../db';
import { Ledger } from '../ledger';
import { SettingsService } from '../settings';
import { makeTempDir, type SimulatedCharger, startTestApp, type TestApp } from '../testing';
import { type BackupSource, databaseFile, takeBackup } from './backups';
import { restoreDatabase, sqliteBackupSource } from './restore';

/** Every row of every table, as sorted JSON lines per table: two files with equal dumps hold equal data. */
function dumpDatabase(file: string): Record<string, string[]> {
  const sqlite = openSqlite(file);
  try {
    const tables = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]
    ).map((row) => row.name);
    const dump: Record<string, string[]> = {};
    for (const table of tables) {
      dump[table] = (sqlite.prepare(`SELECT * FROM "${table}"`).all() as unknown[]).map((row) => JSON.stringify(row)).sort();
    }
    return dump;
  } finally {
    sqlite.close();
  }
}

/** A charger that runs whole sessions (start, meter values, stop) back to back until told to stop. */
/** Charges session after session while keepGoing(); `completed` counts the sessions ended so far. */
async function chargeInALoop(charger: SimulatedCharger, idTag: string, keepGoing: () => boolean, completed: number[], index: number): Promise<number> {
  let sessions = 0;
  let meterWh = 10_000;
  await charger.status(1, 'Available');
  while (keepGoing()) {
    const started = (await charger.startTransaction(1, idTag, meterWh)) as { transactionId: number };
    for (let i = 0; i < 5; i++) {
      meterWh += 250;
      await charger.meterValues(1, started.transactionId, meterWh);
    }
    await charger.stopTransaction(started.transactionId, meterWh);
    sessions++;
    completed[index] = sessions;
  }
  return sessions;
}

describe('backup while chargers send data, then restore into a fresh data directory', () => {
  let testApp: TestApp | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  const sources: [string, (app: TestApp) => BackupSource][] = [
    ['the running appliance (nightly job path)', (app) => app.app.services.db],
    ['a second connection (the CLI path)', (app) => sqliteBackupSource(databaseFile(app.dataDir))],
  ];

  test.each(sources)('a backup taken through %s restores to identical data with a sound ledger', async (_name, sourceOf) => {
    testApp = await startTestApp();
    const app = testApp;
    const chargers = await Promise.all(['CP-A', 'CP-B', 'CP-C'].map((id) => app.acceptedCharger(id)));
    let running = true;
    const completed = chargers.map(() => 0);
    const traffic = chargers.map((charger, index) => chargeInALoop(charger, `TAG-${index}`, () => running, completed, index));
    // Let every charger complete a session before the backup so that it holds real data (a fixed
    // 400 ms was too short on a busy machine).
    while (completed.some((count) => count === 0)) await new Promise((resolve) => setTimeout(resolve, 50));

    const backupDir = makeTempDir('chargeyard-backup-');
    dirs.push(backupDir);
    const backupFile = path.join(backupDir, 'during-traffic.db');
    const progress: number[] = [];
    await takeBackup(sourceOf(app), app.dataDir, { kind: 'manual', destinationFile: backupFile, onProgress: (f) => progress.push(f) });
    running = false;
    const completedByCharger = await Promise.all(traffic);
    expect(completedByCharger.every((count) => count > 0)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    await app.close();
    testApp = undefined;

    const backupDump = dumpDatabase(backupFile);
    expect(backupDump.sessions!.length).toBeGreaterThan(0);
    expect(backupDump.meter_values!.length).toBeGreaterThan(0);

    // Every session the backup holds as completed is exactly as the live database ended with it.
    const liveSessions = new Map(dumpDatabase(databaseFile(app.dataDir)).sessions!.map((row) => [JSON.parse(row).id as number, row]));
    for (const row of backupDump.sessions!) {
      const session = JSON.parse(row) as { id: number; status: string };
      if (session.status === 'completed') expect(liveSessions.get(session.id)).toBe(row);
    }

    const freshDir = makeTempDir('chargeyard-restored-');
    dirs.push(freshDir);
    const result = await restoreDatabase(freshDir, backupFile);
    expect(result.safetyBackup).toBeUndefined();
    expect(dumpDatabase(databaseFile(freshDir))).toEqual(backupDump);

    const restored = Database.open(databaseFile(freshDir));
    try {
      const ledger: Ledger = new Ledger(restored, () => settings.get().currency);
      const settings = new SettingsService(restored, ledger, () => undefined);
      expect(ledger.check()).toMatchObject({ ok: true, problems: [] });
    } finally {
      restored.close();
    }

    // The appliance starts on the restored data and serves the same sessions.
    testApp = await startTestApp({ dataDir: freshDir });
    const listed = await testApp.api('GET', '/sessions?limit=500');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(backupDump.sessions!.length);
  });

  test('restoring over an existing database keeps a safety backup of it', async () => {
    testApp = await startTestApp();
    await testApp.acceptedCharger('CP-OLD');
    const dataDir = testApp.dataDir;
    const backupDir = makeTempDir('chargeyard-backup-');
    dirs.push(backupDir);
    const backupFile = path.join(backupDir, 'before.db');
    await takeBackup(testApp.app.services.db, dataDir, { kind: 'manual', destinationFile: backupFile });
    await testApp.acceptedCharger('CP-NEW');
    await testApp.close();
    testApp = undefined;
    const before = dumpDatabase(databaseFile(dataDir));

    const result = await restoreDatabase(dataDir, backupFile);
    expect(result.safetyBackup).toBeDefined();
    expect(dumpDatabase(result.safetyBackup!.file)).toEqual(before);
    const chargerIds = dumpDatabase(databaseFile(dataDir)).chargers!.map((row) => JSON.parse(row).id as string);
    expect(chargerIds).toEqual(['CP-OLD']);
  });

  test('a damaged file is refused and the current database is left untouched', async () => {
    const dataDir = makeTempDir('chargeyard-damaged-');
    dirs.push(dataDir);
    const db = Database.open(databaseFile(dataDir));
    db.close();
    const before = fs.readFileSync(databaseFile(dataDir));
    const damaged = path.join(dataDir, 'damaged.db');
    fs.writeFileSync(damaged, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)]));
    await expect(restoreDatabase(dataDir, damaged)).rejects.toThrow(/not a usable Chargeyard database/);
    expect(fs.readFileSync(databaseFile(dataDir)).equals(before)).toBe(true);
    expect(fs.existsSync(`${databaseFile(dataDir)}.restoring`)).toBe(false);
  });
});
