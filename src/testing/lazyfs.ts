import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * LazyFS (../.ci/powerloss, vendored from the shared harness): a FUSE file system that keeps every
 * write in its own cache until the file is fsynced and drops the rest on command, as a power cut
 * does to the page cache. Finding (or building) it, and one mounted "disk" the power-loss run cuts.
 */
const REPOSITORY_ROOT = findRepositoryRoot();
const POWERLOSS_SCRIPT = path.join(REPOSITORY_ROOT, '.ci', 'powerloss', 'powerloss.sh');
const BUILD_SCRIPT = path.join(REPOSITORY_ROOT, '.ci', 'powerloss', 'build.sh');

function findRepositoryRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, '.ci', 'powerloss', 'powerloss.sh'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..');
}

export type LazyFsAvailability = { available: true; binary: string } | { available: false; reason: string };

/**
 * Whether this machine can run the test: Linux, /dev/fuse usable, root (FUSE mounts with
 * allow_other), fusermount3, and a LazyFS build (built on first use, once per machine, when its
 * Debian packages are installed; `.ci/run` installs them).
 */
export function findLazyFs(): LazyFsAvailability {
  if (process.platform !== 'linux') return { available: false, reason: 'LazyFS needs Linux (FUSE)' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { available: false, reason: 'mounting LazyFS needs root' };
  try {
    fs.accessSync('/dev/fuse', fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return { available: false, reason: '/dev/fuse is missing or not usable (in Docker: --device /dev/fuse --cap-add SYS_ADMIN)' };
  }
  if (spawnSync('sh', ['-c', 'command -v fusermount3'], { stdio: 'ignore' }).status !== 0) {
    return { available: false, reason: 'fusermount3 is missing (Debian package fuse3)' };
  }
  if (process.env.LAZYFS_BIN) return { available: true, binary: process.env.LAZYFS_BIN };
  const build = spawnSync('bash', [BUILD_SCRIPT, '--no-install'], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (build.status === 4) {
    return { available: false, reason: `the LazyFS build needs Debian packages (${build.stderr.trim()}); .ci/run or \`.ci/powerloss/build.sh\` installs them` };
  }
  if (build.status !== 0) throw new Error(`building LazyFS failed (${build.status}):\n${build.stderr}`);
  const binary = build.stdout.trim().split('\n').pop()!;
  return { available: true, binary };
}

/** A LazyFS mount: `cut` drops every write not yet fsynced, `remount` is the reboot. */
export class PowerCutDisk {
  constructor(
    private readonly binary: string,
    readonly mountDir: string,
    /** LazyFS's cache, allocated when it mounts; one round writes a few MiB. A full cache fails `cut`. */
    private readonly cacheSize = '64mb',
  ) {}

  mount(): void {
    this.run('mount');
  }

  /** The power cut. Fails if LazyFS's cache had filled up (then writes went to disk uncached). */
  cut(): void {
    this.run('cut');
  }

  remount(): void {
    this.run('remount');
  }

  umount(): void {
    this.run('umount');
  }

  /** Unmounts and removes everything, the real files ("the disk") included. */
  destroy(): void {
    spawnSync('bash', [POWERLOSS_SCRIPT, 'umount', this.mountDir], { env: this.env(), stdio: 'ignore' });
    // A mount that a dying process still held stays mounted: detach it, so the removal below
    // neither fails on it nor deletes through it.
    if (fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === this.mountDir)) {
      spawnSync('umount', ['-l', this.mountDir], { stdio: 'ignore' });
    }
    fs.rmSync(`${this.mountDir}.lazyfs`, { recursive: true, force: true });
    fs.rmSync(this.mountDir, { recursive: true, force: true });
  }

  private run(command: string): void {
    const result = spawnSync('bash', [POWERLOSS_SCRIPT, command, this.mountDir], { env: this.env(), encoding: 'utf8', timeout: 90_000 });
    if (result.status !== 0) {
      throw new Error(`powerloss.sh ${command} failed (${result.status}): ${result.stderr}${result.stdout}`);
    }
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, LAZYFS_BIN: this.binary, POWERLOSS_CACHE_SIZE: this.cacheSize };
  }
}
