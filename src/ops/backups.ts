import fs from 'node:fs';
import path from 'node:path';
import { copyToPrivateFile, createPrivateFile, ensurePrivateDir, loadMigrations, openSqlite, PlantedPathError, PRIVATE_DIR_MODE } from '../db';

/** The database file inside CSMS_DATA_DIR (main.ts opens the same name). */
const DATABASE_FILE_NAME = 'chargeyard.db';
const BACKUPS_DIR_NAME = 'backups';

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE_NAME);
}

export function backupsDir(dataDir: string): string {
  return path.join(dataDir, BACKUPS_DIR_NAME);
}

/** Why a backup is taken; scheduled ones are pruned by retention, the others are kept longer. */
type BackupKind = 'nightly' | 'manual' | 'pre-restore' | 'pre-upgrade';
const BACKUP_KINDS: readonly BackupKind[] = ['nightly', 'manual', 'pre-restore', 'pre-upgrade'];

/** Anything that can copy a live database with SQLite's online backup API (db.Database). */
export interface BackupSource {
  backupTo(destinationFile: string, onProgress?: (fraction: number) => void): Promise<void>;
}

export interface BackupFile {
  file: string;
  kind: BackupKind;
  takenAt: Date;
  sizeBytes: number;
}

/** Why a file cannot be restored, for people in their language (the message keeps SQLite's own words). */
export type BackupProblem = 'missing' | 'unreadable' | 'damaged' | 'not_chargeyard' | 'newer_version';

export class BackupVerificationError extends Error {
  constructor(
    readonly file: string,
    readonly reason: BackupProblem,
    problem: string,
  ) {
    super(`${file} is not a usable Chargeyard database: ${problem}`);
    this.name = 'BackupVerificationError';
  }
}

/** chargeyard-20261128T023000Z-nightly.db: sortable, and the time is read back from the name. */
export function backupFileName(kind: BackupKind, takenAt: Date): string {
  const stamp = takenAt.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `chargeyard-${stamp}-${kind}.db`;
}

const BACKUP_NAME = /^chargeyard-(\d{8}T\d{6}Z)-([a-z-]+)\.db$/;

function parseBackupName(name: string): { takenAt: Date; kind: BackupKind } | undefined {
  const match = BACKUP_NAME.exec(name);
  if (!match) return undefined;
  const kind = match[2] as BackupKind;
  if (!BACKUP_KINDS.includes(kind)) return undefined;
  const stamp = match[1]!;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  return { takenAt: new Date(iso), kind };
}

/** Backups in a folder, newest first; files that are not ours are ignored. */
export function listBackups(dir: string): BackupFile[] {
  if (!fs.existsSync(dir)) return [];
  const found: BackupFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseBackupName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    found.push({ file, ...parsed, sizeBytes: fs.statSync(file).size });
  }
  return found.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || b.file.localeCompare(a.file));
}

/**
 * Checks that a file is a sound Chargeyard database this version can open: PRAGMA
 * integrity_check says ok, it has our migrations table, and no migration from a newer version.
 * The file is switched to a rollback journal so that it is one self-contained file (a WAL-mode
 * copy would need its -wal beside it); that changes no data.
 */
export function verifyDatabaseFile(file: string): { migrations: number } {
  if (!fs.existsSync(file)) throw new BackupVerificationError(file, 'missing', 'the file does not exist');
  let sqlite;
  try {
    sqlite = openSqlite(file);
  } catch (error) {
    throw new BackupVerificationError(file, 'unreadable', `SQLite cannot open it (${(error as Error).message})`);
  }
  try {
    let integrity: string[];
    try {
      integrity = (sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    } catch (error) {
      throw new BackupVerificationError(file, 'damaged', `integrity check failed (${(error as Error).message})`);
    }
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      throw new BackupVerificationError(file, 'damaged', `integrity check failed: ${integrity.slice(0, 5).join('; ')}`);
    }
    const hasMigrations = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!hasMigrations) throw new BackupVerificationError(file, 'not_chargeyard', 'it has no schema_migrations table');
    const tags = (sqlite.prepare('SELECT tag FROM schema_migrations').all() as { tag: string }[]).map((row) => row.tag);
    const known = new Set(loadMigrations().map((migration) => migration.tag));
    const unknown = tags.filter((tag) => !known.has(tag));
    if (unknown.length > 0) {
      throw new BackupVerificationError(file, 'newer_version', `it was written by a newer version (migrations ${unknown.join(', ')})`);
    }
    sqlite.pragma('journal_mode = DELETE');
    return { migrations: tags.length };
  } finally {
    sqlite.close();
  }
}

interface TakeBackupOptions {
  kind: BackupKind;
  /** Where the file goes; default CSMS_DATA_DIR/backups/<generated name>. */
  destinationFile?: string;
  now?: Date;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Online backup of a running database into a new file, then an integrity check of the copy.
 * The copy is written under a temporary name and renamed only once verified, so a file with a
 * backup name is always a good backup (a power cut mid-copy leaves only a .partial file).
 */
export async function takeBackup(source: BackupSource, dataDir: string, options: TakeBackupOptions): Promise<BackupFile> {
  const now = options.now ?? new Date();
  const file = path.resolve(options.destinationFile ?? path.join(backupsDir(dataDir), backupFileName(options.kind, now)));
  makeBackupFolder(path.dirname(file), dataDir);
  // lstat, not exists: a link planted under the backup's name (even a dangling one) is refused.
  if (fs.lstatSync(file, { throwIfNoEntry: false })) throw new PlantedPathError(file, 'already exists');
  const partial = `${file}.partial`;
  // A leftover (or planted) partial file is removed, never written through; the new one is made
  // exclusively, 0600, and SQLite's backup fills that file (it keeps its mode).
  fs.rmSync(partial, { force: true });
  fs.closeSync(createPrivateFile(partial));
  try {
    await source.backupTo(partial, (fraction) => {
      // Throwing from the progress callback aborts SQLite's backup between steps.
      if (options.signal?.aborted) throw new Error('backup aborted: the appliance is stopping');
      options.onProgress?.(fraction);
    });
    options.onProgress?.(1);
    verifyDatabaseFile(partial);
    fsyncFile(partial);
    fs.renameSync(partial, file);
    fsyncDir(path.dirname(file));
  } catch (error) {
    fs.rmSync(partial, { force: true });
    fs.rmSync(`${partial}-journal`, { force: true });
    throw error;
  }
  return { file, kind: options.kind, takenAt: now, sizeBytes: fs.statSync(file).size };
}

/**
 * Backups inside the data folder go to a 0700 folder (made, or tightened, and never a link);
 * a folder elsewhere (a USB stick, a NAS mount) is made 0700 when it does not exist yet.
 */
function makeBackupFolder(dir: string, dataDir: string): void {
  if (path.resolve(dir) === path.resolve(dataDir)) ensurePrivateDir(dir, { linkAllowed: true });
  else if (isInside(dir, dataDir)) ensurePrivateDir(dir);
  else fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

export interface RetentionPolicy {
  /** Newest scheduled backup of each of this many most recent days is kept. */
  daily: number;
  /** Newest scheduled backup of each of this many most recent ISO weeks is kept. */
  weekly: number;
  /** Backups of the other kinds (manual, pre-restore, pre-upgrade): this many newest of each. */
  otherPerKind: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 14, weekly: 8, otherPerKind: 5 };

/** Deletes backups the policy no longer keeps; returns the deleted files. */
export function applyRetention(dir: string, policy: RetentionPolicy = DEFAULT_RETENTION): string[] {
  const keep = new Set<string>();
  const backups = listBackups(dir);
  const scheduled = backups.filter((backup) => backup.kind === 'nightly');
  keepNewestPerBucket(scheduled, (backup) => backup.takenAt.toISOString().slice(0, 10), policy.daily, keep);
  keepNewestPerBucket(scheduled, (backup) => isoWeek(backup.takenAt), policy.weekly, keep);
  for (const kind of BACKUP_KINDS) {
    if (kind === 'nightly') continue;
    for (const backup of backups.filter((b) => b.kind === kind).slice(0, policy.otherPerKind)) keep.add(backup.file);
  }
  const deleted: string[] = [];
  for (const backup of backups) {
    if (keep.has(backup.file)) continue;
    fs.rmSync(backup.file, { force: true });
    deleted.push(backup.file);
  }
  return deleted;
}

/** `backups` must be newest first: the first one seen in a bucket is that bucket's newest. */
function keepNewestPerBucket(backups: BackupFile[], bucketOf: (backup: BackupFile) => string, buckets: number, keep: Set<string>): void {
  const seen = new Set<string>();
  for (const backup of backups) {
    const bucket = bucketOf(backup);
    if (seen.has(bucket)) continue;
    if (seen.size >= buckets) break;
    seen.add(bucket);
    keep.add(backup.file);
  }
}

/** ISO 8601 week, e.g. 2026-W48 (weeks start on Monday; week 1 holds the first Thursday). */
function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Copies a verified backup into a second folder (USB stick, NAS mount), atomically by rename. */
export function copyBackupTo(backup: BackupFile, dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const target = path.join(dir, path.basename(backup.file));
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    copyToPrivateFile(backup.file, partial);
    fs.renameSync(partial, target);
    fsyncDir(dir);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  return target;
}

export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A rename is durable only once its directory is synced. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
