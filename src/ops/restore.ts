import fs from 'node:fs';
import path from 'node:path';
import { copyOpenedToPrivateFile, ensurePrivateDir, openRegularFileForReading, openSqlite, tightenPrivateFile } from '../db';
import { type BackupFile, databaseFile, fsyncDir, fsyncFile, takeBackup, verifyDatabaseFile } from './backups';
import { runningAppliancePid } from './pid-file';

export class ApplianceRunningError extends Error {
  constructor(readonly pid: number) {
    super(
      `Chargeyard is running (pid ${pid}) on this data directory. Stop it first (systemctl stop chargeyard), or pass --stop to have restore stop it.`,
    );
    this.name = 'ApplianceRunningError';
  }
}

interface RestoreResult {
  /** The backup of the database that was replaced; undefined when the data directory was empty. */
  safetyBackup: BackupFile | undefined;
  restoredFile: string;
}

/** A backup file opened for a restore (its `-wal` too, when one lies beside it). */
export interface OpenedBackup {
  file: string;
  fd: number;
  walFd: number | undefined;
}

/**
 * Opens a backup and the `-wal` beside it, never through a link. The command line opens them
 * before it gives up root's rights (ops/privileges.ts), so a backup only root may read (one
 * taken with sudo to a folder of root's) can still be restored.
 */
export function openBackup(backupFile: string): OpenedBackup {
  const file = path.resolve(backupFile);
  const fd = openRegularFileForReading(file);
  try {
    const walFd = fs.lstatSync(`${file}-wal`, { throwIfNoEntry: false }) ? openRegularFileForReading(`${file}-wal`) : undefined;
    return { file, fd, walFd };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

export function closeBackup(opened: OpenedBackup): void {
  fs.closeSync(opened.fd);
  if (opened.walFd !== undefined) fs.closeSync(opened.walFd);
}

/**
 * Replaces the appliance's database with a backup file. The file is copied beside the database
 * and verified there first (so a bad file, or a full disk, changes nothing); then the current
 * database gets a safety backup; then the copy is renamed over it in one atomic step. A backup
 * given opened (openBackup) stays open; its caller closes it.
 */
export async function restoreDatabase(dataDir: string, backup: string | OpenedBackup, onProgress?: (step: string) => void): Promise<RestoreResult> {
  if (typeof backup !== 'string') return restoreOpened(dataDir, backup, onProgress);
  const opened = openBackup(backup);
  try {
    return await restoreOpened(dataDir, opened, onProgress);
  } finally {
    closeBackup(opened);
  }
}

async function restoreOpened(dataDir: string, opened: OpenedBackup, onProgress?: (step: string) => void): Promise<RestoreResult> {
  const source = opened.file;
  const target = databaseFile(dataDir);
  if (source === path.resolve(target)) throw new Error('That file is the live database itself; name a backup file');
  const running = runningAppliancePid(dataDir);
  // Our own pid means the appliance itself restores from its admin UI, between closing its
  // database and opening it again (main.ts restart loop); any other live pid holds the database.
  if (running !== undefined && running !== process.pid) throw new ApplianceRunningError(running);

  ensurePrivateDir(dataDir, { linkAllowed: true });
  // The database in place must be a file, not a link: its safety backup would read through one.
  tightenPrivateFile(target);
  const incoming = `${target}.restoring`;
  // Leftovers (or links planted by the service user) are removed, never written through; the
  // copies are made exclusively, 0600, and the backup is read without following a link.
  for (const leftover of [incoming, `${incoming}-wal`, `${incoming}-shm`]) fs.rmSync(leftover, { force: true });
  try {
    onProgress?.(`copying ${source}`);
    copyOpenedToPrivateFile(opened.fd, incoming);
    // A backup taken by copying a live WAL database may have its -wal beside it: bring it along.
    if (opened.walFd !== undefined) copyOpenedToPrivateFile(opened.walFd, `${incoming}-wal`);
    onProgress?.('checking the backup (integrity check)');
    verifyDatabaseFile(incoming);
    fsyncFile(incoming);

    let safetyBackup: BackupFile | undefined;
    if (fs.existsSync(target)) {
      onProgress?.('taking a safety backup of the current database');
      safetyBackup = await takeBackup(sqliteBackupSource(target), dataDir, { kind: 'pre-restore' });
    }

    onProgress?.('switching to the restored database');
    // The replaced database's WAL and shared-memory files belong to it, not to the restored one.
    fs.rmSync(`${target}-wal`, { force: true });
    fs.rmSync(`${target}-shm`, { force: true });
    fs.renameSync(incoming, target);
    fsyncDir(dataDir);
    return { safetyBackup, restoredFile: target };
  } finally {
    fs.rmSync(incoming, { force: true });
    fs.rmSync(`${incoming}-wal`, { force: true });
    fs.rmSync(`${incoming}-shm`, { force: true });
  }
}

const PAGES_PER_STEP = 1000;

/** A backup source for a database file, through a connection of its own (the CLI's). */
export function sqliteBackupSource(file: string) {
  return {
    async backupTo(destinationFile: string, onProgress?: (fraction: number) => void): Promise<void> {
      const sqlite = openSqlite(file);
      let lastFraction = 0;
      let copyRestOfItAtOnce = false;
      try {
        await sqlite.backup(destinationFile, {
          progress: ({ totalPages, remainingPages }) => {
            const fraction = totalPages === 0 ? 1 : (totalPages - remainingPages) / totalPages;
            // A write by the running appliance (another connection) restarts SQLite's backup from
            // the first page; under steady charger traffic small steps would restart forever, so
            // after one restart the rest is copied in a single step (WAL: the writer is not blocked).
            if (fraction < lastFraction) copyRestOfItAtOnce = true;
            lastFraction = fraction;
            onProgress?.(fraction);
            return copyRestOfItAtOnce ? Math.max(totalPages, 1) : PAGES_PER_STEP;
          },
        });
      } finally {
        sqlite.close();
      }
    },
  };
}
