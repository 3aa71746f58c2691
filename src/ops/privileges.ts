import fs from 'node:fs';

/** Whose rights a command took on (see takeDataDirOwnersRights). */
export interface DataDirOwner {
  uid: number;
  gid: number;
}

/**
 * A technician runs `sudo chargeyard backup` (and install.sh runs backup and restore as root)
 * while the data folder belongs to the service's user. Root's own checks (no link where a file is
 * made, O_NOFOLLOW, lchown) leave a window: SQLite opens the database and its `-wal` and `-shm`
 * files by name, following links, after those checks ran, so a compromised service could swap a
 * companion file for a link to a file of root's in between and have root's SQLite write or
 * truncate it. A root process therefore becomes the data folder's owner before it touches
 * anything in there: whatever the folder holds is then opened with the service's own rights, as
 * the service itself opens it. Returns the owner taken on, or undefined when nothing changed (not
 * root, no folder yet, or a folder root owns).
 */
export function takeDataDirOwnersRights(dataDir: string): DataDirOwner | undefined {
  if (!process.getuid || !process.setuid || !process.setgid || !process.setgroups || process.getuid() !== 0) return undefined;
  let owner: fs.Stats;
  try {
    // stat, not lstat: CSMS_DATA_DIR may be a link to another disk, placed there by root.
    owner = fs.statSync(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (owner.uid === 0) return undefined;
  // Group first and supplementary groups dropped: once the user id changes, neither can be.
  process.setgroups([owner.gid]);
  process.setgid(owner.gid);
  process.setuid(owner.uid);
  return { uid: owner.uid, gid: owner.gid };
}
