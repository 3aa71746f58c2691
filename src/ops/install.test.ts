import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandRequirement, testRequiring } from '../testing/requires';
import { listBackups } from './backups';

/**
 * install.sh end to end, into a temporary prefix without systemd. Slow (each install runs
 * `npm ci --omit=dev` against the npm registry and compiles the TypeScript), so the scenarios run
 * in order on one prefix. The source is a snapshot of the committed tree (git archive HEAD), so
 * edits in progress elsewhere in the working tree do not change what is installed.
 */

const REPO = path.resolve(__dirname, '..', '..');
const TOKEN = 'install-test-token-0123456789';
// An install builds the release (npm ci, tsc): about a minute on an idle 2-core box, several times
// that when other work shares the cores.
const INSTALL_TIMEOUT_MS = 600_000;

jest.setTimeout(INSTALL_TIMEOUT_MS);

function snapshotSource(target: string): void {
  fs.mkdirSync(target, { recursive: true });
  const archive = spawnSync('git', ['-C', REPO, 'archive', process.env.CHARGEYARD_INSTALL_TEST_REF ?? 'HEAD'], { maxBuffer: 256 * 1024 * 1024 });
  if (archive.status === 0) {
    execFileSync('tar', ['-x', '-C', target], { input: archive.stdout });
  } else {
    // Not a git checkout (a source tarball): copy the files install.sh reads.
    for (const item of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'install.sh', 'src', 'migrations', 'views', 'bin', 'systemd']) {
      if (fs.existsSync(path.join(REPO, item))) fs.cpSync(path.join(REPO, item), path.join(target, item), { recursive: true });
    }
  }
  // The checkout's dependencies provide the compiler and the compiled SQLite module (as after `npm install`).
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(target, 'node_modules'));
}

/** The installer's output is the failure message: it says which step broke. */
function expectExitCode(result: { code: number; output: string }, code: number): void {
  if (result.code !== code) throw new Error(`install.sh exited ${result.code}, expected ${code}:\n${result.output}`);
}

function runInstall(source: string, args: string[]): { code: number; output: string } {
  const result = spawnSync('sh', [path.join(source, 'install.sh'), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), CSMS_PORT: '0', CSMS_HOST: '127.0.0.1' },
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS - 10_000,
  });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

interface Running {
  baseUrl: string;
  dataDir: string;
  stop(): Promise<number | null>;
}

/** Runs PREFIX/bin/chargeyard start with the given CSMS_* variables; resolves once it logged its port. */
function startInstalled(prefix: string): Promise<Running> {
  const child = spawn(path.join(prefix, 'bin', 'chargeyard'), ['start'], {
    env: { PATH: process.env.PATH ?? '', CSMS_PORT: '0', CSMS_API_TOKEN: TOKEN, CSMS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 120_000);
    void exited.then(() => reject(new Error(`exited before starting:\n${output}`)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { port?: number; dataDir?: string };
        if (typeof entry.port !== 'number') continue;
        clearTimeout(timer);
        resolve({
          baseUrl: `http://127.0.0.1:${entry.port}`,
          dataDir: entry.dataDir ?? '',
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

async function api(baseUrl: string, method: string, apiPath: string, body?: unknown) {
  const response = await fetch(`${baseUrl}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

function currentRelease(prefix: string): string {
  return fs.readlinkSync(path.join(prefix, 'opt', 'chargeyard', 'current'));
}

function installedVersion(prefix: string): string {
  return execFileSync(path.join(prefix, 'bin', 'chargeyard'), ['version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
}

const SHELLCHECK = commandRequirement('shellcheck', 'apt-get install shellcheck');
const SYSTEMD_ANALYZE = commandRequirement('systemd-analyze', 'apt-get install systemd');

describe('install.sh', () => {
  let work: string;
  let source: string;
  let prefix: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-install-'));
    source = path.join(work, 'source');
    prefix = path.join(work, 'prefix');
    snapshotSource(source);
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  testRequiring(SHELLCHECK, 'passes shellcheck', () => {
    const result = spawnSync('shellcheck', [path.join(REPO, 'install.sh')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('installs into a prefix: the installed chargeyard starts with the given CSMS_* variables and answers health', async () => {
    const install = runInstall(source, ['--prefix', prefix, '--no-systemd']);
    expectExitCode(install, 0);
    expect(install.output).toMatch(/OCPP URL for the chargers/);
    // The first staff user exists before the appliance first listens: its password is printed
    // once and kept in a file only root (the installing user) can read.
    const printed = /Staff sign-in: +user admin, password ([0-9a-f]{30})\n/.exec(install.output)?.[1];
    expect(printed).toBeDefined();
    const passwordFile = path.join(prefix, 'etc', 'chargeyard', 'admin-password');
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(passwordFile, 'utf8')).toBe(printed);
    const envFile = path.join(prefix, 'etc', 'chargeyard', 'env');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(envFile, 'utf8')).toContain(`CSMS_DATA_DIR=${path.join(prefix, 'var', 'lib', 'chargeyard')}`);
    // The unit is rendered with the install's paths even when systemd is not used.
    const unitFile = path.join(prefix, 'etc', 'systemd', 'system', 'chargeyard.service');
    const unit = fs.readFileSync(unitFile, 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${path.join(prefix, 'opt', 'chargeyard', 'current', 'bin', 'chargeyard')} start`);
    expect(unit).toContain(`ReadWritePaths=${path.join(prefix, 'var', 'lib', 'chargeyard')}`);
    // Production dependencies only.
    const release = path.join(prefix, 'opt', 'chargeyard', 'current');
    expect(fs.existsSync(path.join(release, 'node_modules', 'express'))).toBe(true);
    expect(fs.existsSync(path.join(release, 'node_modules', 'jest'))).toBe(false);

    const running = await startInstalled(prefix);
    try {
      expect(running.dataDir).toBe(path.join(prefix, 'var', 'lib', 'chargeyard'));
      const health = await fetch(`${running.baseUrl}/api/v1/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      // No setup wizard for the first visitor on the LAN: staff sign in with the printed password.
      expect((await fetch(`${running.baseUrl}/setup`, { redirect: 'manual' })).headers.get('location')).toBe('/login');
      expect((await api(running.baseUrl, 'POST', '/chargers', { id: 'CP-KEEP', name: 'Kept across upgrades' })).status).toBe(201);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  testRequiring(SYSTEMD_ANALYZE, "the unit rendered with the install's paths passes systemd-analyze verify", () => {
    const verify = spawnSync('systemd-analyze', ['verify', path.join(prefix, 'etc', 'systemd', 'system', 'chargeyard.service')], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });

  test('rerunning the same version changes nothing and keeps the configuration', () => {
    const envFile = path.join(prefix, 'etc', 'chargeyard', 'env');
    fs.appendFileSync(envFile, '# edited by the site\n');
    const before = currentRelease(prefix);
    const rerun = runInstall(source, ['--prefix', prefix, '--no-systemd']);
    expectExitCode(rerun, 0);
    expect(rerun.output).toMatch(/already installed; nothing to do/);
    expect(rerun.output).not.toMatch(/Staff sign-in/);
    expect(currentRelease(prefix)).toBe(before);
    expect(fs.readFileSync(envFile, 'utf8')).toContain('# edited by the site');
  });

  test('--upgrade backs up the database, installs the new version and keeps the data', async () => {
    const packageFile = path.join(source, 'package.json');
    const manifest = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as { version: string };
    fs.writeFileSync(packageFile, JSON.stringify({ ...manifest, version: '99.0.0' }, null, 2));
    const before = currentRelease(prefix);
    const upgrade = runInstall(source, ['--upgrade', '--prefix', prefix, '--no-systemd']);
    expectExitCode(upgrade, 0);
    expect(currentRelease(prefix)).not.toBe(before);
    expect(installedVersion(prefix)).toMatch(/^chargeyard 99\.0\.0 /);
    const backups = listBackups(path.join(prefix, 'var', 'lib', 'chargeyard', 'backups'));
    expect(backups.map((backup) => backup.kind)).toContain('pre-upgrade');

    const running = await startInstalled(prefix);
    try {
      const charger = await api(running.baseUrl, 'GET', '/chargers/CP-KEEP');
      expect(charger).toMatchObject({ status: 200, body: { name: 'Kept across upgrades' } });
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  test('an upgrade whose new version does not start is rolled back to the previous version and data', async () => {
    const before = currentRelease(prefix);
    const main = path.join(source, 'src', 'main.ts');
    fs.appendFileSync(main, "\nif (process.env.CHARGEYARD_ENV_FILE !== undefined) throw new Error('this build is broken on purpose');\n");
    const upgrade = runInstall(source, ['--upgrade', '--prefix', prefix, '--no-systemd']);
    expectExitCode(upgrade, 1);
    expect(upgrade.output).toMatch(/rolling back/);
    expect(currentRelease(prefix)).toBe(before);
    expect(installedVersion(prefix)).toMatch(/^chargeyard 99\.0\.0 /);

    const running = await startInstalled(prefix);
    try {
      expect((await api(running.baseUrl, 'GET', '/chargers/CP-KEEP')).status).toBe(200);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  test('--uninstall removes the app and the command and keeps the data and configuration', () => {
    const result = runInstall(source, ['--uninstall', '--prefix', prefix, '--no-systemd']);
    expectExitCode(result, 0);
    expect(fs.existsSync(path.join(prefix, 'opt', 'chargeyard'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'bin', 'chargeyard'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'var', 'lib', 'chargeyard', 'chargeyard.db'))).toBe(true);
    expect(fs.existsSync(path.join(prefix, 'etc', 'chargeyard', 'env'))).toBe(true);
  });

  test('--uninstall --purge removes the data and configuration too', () => {
    const result = runInstall(source, ['--uninstall', '--purge', '--prefix', prefix, '--no-systemd']);
    expectExitCode(result, 0);
    expect(fs.existsSync(path.join(prefix, 'var', 'lib', 'chargeyard'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'etc', 'chargeyard'))).toBe(false);
  });
});

describe('the systemd unit', () => {
  testRequiring(SYSTEMD_ANALYZE, 'passes systemd-analyze verify as shipped (the rendered copy is verified after the install test)', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-unit-'));
    try {
      const shipped = fs.readFileSync(path.join(REPO, 'systemd', 'chargeyard.service'), 'utf8');
      // verify checks that ExecStart's program exists: point it at this machine's node.
      const unit = path.join(work, 'chargeyard.service');
      fs.writeFileSync(unit, shipped.replace('/usr/bin/node ', `${process.execPath} `));
      const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('runs as its own user, restarts on failure, waits for the graceful stop and is hardened', () => {
    const unit = fs.readFileSync(path.join(REPO, 'systemd', 'chargeyard.service'), 'utf8');
    const settings = new Map<string, string>();
    for (const line of unit.split('\n')) {
      const match = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (match) settings.set(match[1]!, match[2]!);
    }
    expect(settings.get('User')).toBe('chargeyard');
    expect(settings.get('Restart')).toBe('on-failure');
    expect(settings.get('EnvironmentFile')).toBe('/etc/chargeyard/env');
    // CONTRACT: the app stops within 10 s of SIGTERM; systemd must wait at least that long.
    expect(Number.parseInt(settings.get('TimeoutStopSec')!, 10)).toBeGreaterThanOrEqual(10);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ReadWritePaths', '/var/lib/chargeyard'],
      ['PrivateTmp', 'yes'],
      ['ProtectHome', 'yes'],
    ]) {
      expect(settings.get(key!)).toBe(value);
    }
    // V8's JIT needs writable executable memory.
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false);
  });
});
