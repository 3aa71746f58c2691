import fs from 'node:fs';

/**
 * The database, its WAL and shared-memory files and the backups hold every driver's money and
 * phone number: they are created readable by the appliance's own user only, in folders only it
 * can enter, whatever umask started the process (systemd sets one; a manual `npm start` may not).
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

const GROUP_AND_OTHER_BITS = 0o077;
const COPY_CHUNK_BYTES = 1024 * 1024;

/** A link or other unexpected entry where a file or folder was to be made: nothing is written through it. */
export class PlantedPathError extends Error {
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file} ${what}; refusing to write through it (remove it if it is not yours)`);
    this.name = 'PlantedPathError';
  }
}

function ownedByUs(stat: fs.Stats): boolean {
  return typeof process.getuid !== 'function' || stat.uid === process.getuid();
}

/**
 * Makes `dir` (and missing parents) 0700. An existing folder of ours that others may enter is
 * tightened; a symbolic link in its place is refused (never followed), unless it is the folder
 * the operator configured (`linkAllowed`: CSMS_DATA_DIR may point at another disk).
 */
export function ensurePrivateDir(dir: string, options: { linkAllowed?: boolean } = {}): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stat = options.linkAllowed ? fs.statSync(dir) : fs.lstatSync(dir);
  if (stat.isSymbolicLink()) throw new PlantedPathError(dir, 'is a symbolic link');
  if (!stat.isDirectory()) throw new PlantedPathError(dir, 'is not a folder');
  if (ownedByUs(stat) && (stat.mode & GROUP_AND_OTHER_BITS) !== 0) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates `file` 0600, exclusively and without following a link (O_EXCL|O_NOFOLLOW): a file or
 * link already there (planted, or left over) is refused. Returns the open descriptor.
 */
export function createPrivateFile(file: string): number {
  try {
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
    // The umask can only take bits away; this keeps the file at exactly 0600 either way.
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    return fd;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new PlantedPathError(file, 'already exists');
    throw error;
  }
}

/** Opens an existing regular file for reading without following a link in its place. */
export function openRegularFileForReading(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new PlantedPathError(file, 'is a symbolic link');
    throw error;
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw new PlantedPathError(file, 'is not a regular file');
  }
  return fd;
}

/** Copies `source` into a new private file `destination` (see createPrivateFile), synced. */
export function copyToPrivateFile(source: string, destination: string): void {
  const input = openRegularFileForReading(source);
  try {
    copyOpenedToPrivateFile(input, destination);
  } finally {
    fs.closeSync(input);
  }
}

/** copyToPrivateFile from a file already open (see openRegularFileForReading), read from its start. */
export function copyOpenedToPrivateFile(input: number, destination: string): void {
  const output = createPrivateFile(destination);
  try {
    const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    for (let position = 0; ; ) {
      const read = fs.readSync(input, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      let written = 0;
      while (written < read) written += fs.writeSync(output, buffer, written, read - written);
    }
    fs.fsyncSync(output);
  } finally {
    fs.closeSync(output);
  }
}

/**
 * Refuses a symbolic link (or anything but a regular file) at `file`, and tightens a file of ours
 * that others may read. Absent is fine.
 */
export function tightenPrivateFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (stat.isSymbolicLink()) throw new PlantedPathError(file, 'is a symbolic link');
  if (!stat.isFile()) throw new PlantedPathError(file, 'is not a regular file');
  if (ownedByUs(stat) && (stat.mode & GROUP_AND_OTHER_BITS) !== 0) fs.chmodSync(file, PRIVATE_FILE_MODE);
}
