import path from 'node:path';
import { type BackupFile, type BackupSource, takeBackup } from './backups';

/** What staff see of the backup they started from the admin UI. */
interface ManualBackupState {
  running: boolean;
  /** 0..1 while running (SQLite's backup API reports pages copied). */
  fraction: number;
  startedAt: string | null;
  /** The file name of the last backup that finished. */
  lastFile: string | null;
  lastError: string | null;
}

/**
 * One "Back up now" at a time, run in the background so the page answers at once and polls
 * its progress. A second request while one runs is refused rather than queued: two copies of
 * the same moment are of no use and would double the disk writes.
 */
export class ManualBackupRunner {
  private state: ManualBackupState = { running: false, fraction: 0, startedAt: null, lastFile: null, lastError: null };
  private current: Promise<BackupFile | undefined> | undefined;

  constructor(
    private readonly source: BackupSource,
    private readonly dataDir: string,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  status(): ManualBackupState {
    return { ...this.state };
  }

  /** Starts a manual backup; false when one is already running. */
  start(now = new Date()): boolean {
    if (this.current) return false;
    this.state = { running: true, fraction: 0, startedAt: now.toISOString(), lastFile: null, lastError: null };
    this.current = takeBackup(this.source, this.dataDir, {
      kind: 'manual',
      now,
      onProgress: (fraction) => {
        this.state.fraction = fraction;
      },
    })
      .then((backup) => {
        this.state = { ...this.state, running: false, fraction: 1, lastFile: path.basename(backup.file) };
        return backup;
      })
      .catch((error: unknown) => {
        this.state = { ...this.state, running: false, lastError: error instanceof Error ? error.message : String(error) };
        this.onFailure(error);
        return undefined;
      })
      .finally(() => {
        this.current = undefined;
      });
    return true;
  }

  /** Resolves when the running backup (if any) has finished (tests, and closing). */
  async finished(): Promise<BackupFile | undefined> {
    return this.current;
  }
}
