import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../cli';
import { Database } from '../db';
import { compiledMain, makeTempDir, spawnAppliance, startTestApp, testConfig } from '../testing';
import { describeRequiring, rootRequirement } from '../testing/requires';
import { backupsDir, databaseFile, takeBackup } from './backups';

const modeOf = (file: string) => fs.lstatSync(file).mode & 0o777;

function cliIo(dataDir: string) {
  const lines: string[] = [];
  const env = { CSMS_DATA_DIR: dataDir, CSMS_PORT: String(testConfig(dataDir).port) };
  return {
    lines,
    io: { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line), env, readSecret: () => Promise.resolve('') },
  };
}

describe('the database, its WAL and backups are private without systemd', () => {
  const dirs: string[] = [];
  let previousUmask: number;
  beforeAll(() => {
    // A manual start under the usual login umask (group and others may read), not systemd's.
    previousUmask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(previousUmask);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a fresh appliance makes its data folder 0700 and the database, -wal, -shm and backups 0600', async () => {
    const root = makeTempDir('chargeyard-modes-');
    dirs.push(root);
    const dataDir = path.join(root, 'data');
    const t = await startTestApp({ dataDir });
    try {
      expect((await t.api('POST', '/chargers', { id: 'CP-MODES' })).status).toBe(201);
      const backup = await takeBackup(t.app.services.db, dataDir, { kind: 'manual' });
      expect(modeOf(dataDir)).toBe(0o700);
      const file = databaseFile(dataDir);
      for (const companion of [file, `${file}-wal`, `${file}-shm`]) expect([companion, modeOf(companion)]).toEqual([companion, 0o600]);
      expect(modeOf(backupsDir(dataDir))).toBe(0o700);
      expect(modeOf(backup.file)).toBe(0o600);
    } finally {
      await t.close();
    }
  });

  test('the compiled appliance started by hand (no systemd) keeps everything it makes in its data folder private', async () => {
    const root = makeTempDir('chargeyard-by-hand-');
    dirs.push(root);
    const dataDir = path.join(root, 'data');
    // The child inherits this process's umask 022, as from a login shell.
    const appliance = await spawnAppliance(dataDir);
    try {
      expect((await fetch(`${appliance.baseUrl}/api/v1/health`)).status).toBe(200);
      expect(modeOf(dataDir)).toBe(0o700);
      const loose = fs.readdirSync(dataDir).filter((name) => (modeOf(path.join(dataDir, name)) & 0o077) !== 0);
      expect(loose).toEqual([]);
      expect(fs.readdirSync(dataDir)).toEqual(expect.arrayContaining(['chargeyard.db', 'chargeyard.db-wal', 'chargeyard.db-shm']));
    } finally {
      appliance.child.kill('SIGTERM');
      expect((await appliance.exited).code).toBe(0);
    }
  });

  test('a data folder and database left readable by others (an older version) are tightened at start', async () => {
    const dataDir = makeTempDir('chargeyard-loose-');
    dirs.push(dataDir);
    const first = await startTestApp({ dataDir });
    await first.close();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(databaseFile(dataDir), 0o644);
    const second = await startTestApp({ dataDir });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(databaseFile(dataDir))).toBe(0o600);
      expect(modeOf(`${databaseFile(dataDir)}-wal`)).toBe(0o600);
    } finally {
      await second.close();
    }
  });

  test('a data folder configured as a link to another disk is followed (the operator chose it) and made 0700', async () => {
    const root = makeTempDir('chargeyard-linked-');
    dirs.push(root);
    const disk = path.join(root, 'ssd');
    fs.mkdirSync(disk, { mode: 0o755 });
    fs.symlinkSync(disk, path.join(root, 'data'));
    const t = await startTestApp({ dataDir: path.join(root, 'data') });
    try {
      expect((await t.api('GET', '/health')).status).toBe(200);
      expect(modeOf(disk)).toBe(0o700);
      expect(modeOf(databaseFile(disk))).toBe(0o600);
    } finally {
      await t.close();
    }
  });
});

describe('backup and restore never follow a link planted in the data folder', () => {
  let dataDir: string;
  let victim: string;
  let outside: string;
  beforeEach(async () => {
    dataDir = makeTempDir('chargeyard-planted-');
    outside = makeTempDir('chargeyard-victim-');
    // A file of root's that the service user would like overwritten or handed over.
    victim = path.join(outside, 'shadow');
    fs.writeFileSync(victim, 'root:secret\n', { mode: 0o600 });
    const t = await startTestApp({ dataDir });
    await t.close();
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const victimUntouched = () => expect([fs.readFileSync(victim, 'utf8'), modeOf(victim)]).toEqual(['root:secret\n', 0o600]);

  test('a backup whose file name is a planted link is refused and writes nothing through it', async () => {
    const destination = path.join(backupsDir(dataDir), 'chargeyard-planted.db');
    fs.mkdirSync(backupsDir(dataDir), { recursive: true });
    fs.symlinkSync(victim, destination);
    const { io, lines } = cliIo(dataDir);
    expect(await runCli(['backup', '--to', destination], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/already exists; refusing to write through it/);
    victimUntouched();
  });

  test('a backups folder replaced by a link is refused', async () => {
    fs.rmSync(backupsDir(dataDir), { recursive: true, force: true });
    fs.symlinkSync(outside, backupsDir(dataDir));
    const { io, lines } = cliIo(dataDir);
    expect(await runCli(['backup'], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/is a symbolic link; refusing/);
    expect(fs.readdirSync(outside)).toEqual(['shadow']);
  });

  test('a restore from a backup name that is a link is refused, and the database stays', async () => {
    const { io } = cliIo(dataDir);
    expect(await runCli(['backup', '--to', path.join(dataDir, 'good.db')], io)).toBe(0);
    const planted = path.join(backupsDir(dataDir), 'chargeyard-20260101T000000Z-pre-upgrade.db');
    fs.mkdirSync(backupsDir(dataDir), { recursive: true });
    fs.symlinkSync(path.join(dataDir, 'good.db'), planted);
    const before = fs.readFileSync(databaseFile(dataDir));
    const { io: restoreIo, lines } = cliIo(dataDir);
    expect(await runCli(['restore', planted], restoreIo)).toBe(1);
    expect(lines.join('\n')).toMatch(/is a symbolic link; refusing/);
    expect(fs.readFileSync(databaseFile(dataDir)).equals(before)).toBe(true);
  });

  test('a restore where the database itself is a planted link is refused before anything is read or written', async () => {
    const { io } = cliIo(dataDir);
    expect(await runCli(['backup', '--to', path.join(outside, 'good.db')], io)).toBe(0);
    const file = databaseFile(dataDir);
    for (const companion of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(companion, { force: true });
    fs.symlinkSync(victim, file);
    const { io: restoreIo, lines } = cliIo(dataDir);
    expect(await runCli(['restore', path.join(outside, 'good.db')], restoreIo)).toBe(1);
    expect(lines.join('\n')).toMatch(/is a symbolic link; refusing/);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    victimUntouched();
  });

  test('a restore removes a link planted as its staging copy instead of writing through it', async () => {
    const { io } = cliIo(dataDir);
    expect(await runCli(['backup', '--to', path.join(outside, 'good.db')], io)).toBe(0);
    fs.symlinkSync(victim, `${databaseFile(dataDir)}.restoring`);
    const { io: restoreIo } = cliIo(dataDir);
    expect(await runCli(['restore', path.join(outside, 'good.db')], restoreIo)).toBe(0);
    victimUntouched();
    expect(modeOf(databaseFile(dataDir))).toBe(0o600);
    expect(fs.lstatSync(`${databaseFile(dataDir)}.restoring`, { throwIfNoEntry: false })).toBeUndefined();
  });
});

describeRequiring(rootRequirement(), "run as root, the command line works with the data folder owner's rights", () => {
  // The service's user on a real install; any user but root shows the same.
  const OWNER = 65534;
  const chargeyard = path.join(__dirname, '..', '..', 'bin', 'chargeyard');
  let parent: string;
  let dataDir: string;
  let rootOnly: string;
  beforeEach(() => {
    if (!fs.existsSync(compiledMain())) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
    parent = makeTempDir('chargeyard-owned-');
    // The owner must be able to reach its folder, as /var/lib lets the service reach its own.
    fs.chmodSync(parent, 0o711);
    dataDir = path.join(parent, 'data');
    Database.open(databaseFile(dataDir)).close();
    for (const entry of [dataDir, ...fs.readdirSync(dataDir).map((name) => path.join(dataDir, name))]) fs.lchownSync(entry, OWNER, OWNER);
    rootOnly = makeTempDir('chargeyard-root-only-');
  });
  afterEach(() => {
    fs.rmSync(parent, { recursive: true, force: true });
    fs.rmSync(rootOnly, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [chargeyard, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', CSMS_DATA_DIR: dataDir }, timeout: 60_000 });

  test('a backup taken by root is made with the owner’s rights, so it is the owner’s file', () => {
    const result = run('backup');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [backup] = fs.readdirSync(backupsDir(dataDir));
    const made = fs.lstatSync(path.join(backupsDir(dataDir), backup!));
    expect([made.uid, made.gid, made.mode & 0o777]).toEqual([OWNER, OWNER, 0o600]);
    expect(fs.lstatSync(backupsDir(dataDir)).uid).toBe(OWNER);
  });

  test('a backup to a folder only root may write is refused, and the message says whose rights the command had', () => {
    const result = run('backup', '--to', path.join(rootOnly, 'copy.db'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/EACCES/);
    expect(result.stderr).toMatch(/rights of the data folder's owner \(uid 65534\)/);
    expect(result.stderr).toMatch(/run "chargeyard backup" \(into the backups folder\) and copy the file from there/);
    expect(fs.readdirSync(rootOnly)).toEqual([]);
  });

  test('a backup only root may read is restored, and the restored database is the owner’s', () => {
    const backup = path.join(rootOnly, 'taken-by-root.db');
    fs.copyFileSync(databaseFile(dataDir), backup);
    fs.chmodSync(backup, 0o600);
    const result = run('restore', backup);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const restored = fs.lstatSync(databaseFile(dataDir));
    expect([restored.uid, restored.gid, restored.mode & 0o777]).toEqual([OWNER, OWNER, 0o600]);
    // The safety backup of the database it replaced was taken with the owner's rights too.
    expect(fs.readdirSync(backupsDir(dataDir)).map((name) => fs.lstatSync(path.join(backupsDir(dataDir), name)).uid)).toEqual([OWNER]);
  });

  test('a data folder root owns leaves root its rights', () => {
    for (const entry of [dataDir, ...fs.readdirSync(dataDir).map((name) => path.join(dataDir, name))]) fs.lchownSync(entry, 0, 0);
    const result = run('backup', '--to', path.join(rootOnly, 'copy.db'));
    expect(result.status).toBe(0);
    expect(fs.lstatSync(path.join(rootOnly, 'copy.db')).uid).toBe(0);
  });
});
