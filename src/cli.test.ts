import fs from 'node:fs';
import path from 'node:path';
import { ApiTokenService } from './access';
import { StaffUserService } from './staff';
import { runCli } from './cli';
import { Database } from './db';
import { databaseFile, listBackups, backupsDir } from './ops/backups';
import { pidFile, writePidFile } from './ops/pid-file';
import { makeTempDir, startTestApp, testActor } from './testing';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv, answers: string[] = []): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { ...env },
    readSecret: async () => answers.shift() ?? '',
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('chargeyard CLI', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dataDir = makeTempDir('chargeyard-cli-');
    env = { CSMS_DATA_DIR: dataDir };
    Database.open(databaseFile(dataDir)).close();
  });

  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('version prints the package version', async () => {
    const result = await cli(['version'], env);
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toMatch(/^chargeyard \d+\.\d+\.\d+ \(node v\d+/);
  });

  test('an unknown command or option is a usage error with exit code 2', async () => {
    expect((await cli(['frobnicate'], env)).code).toBe(2);
    expect((await cli(['backup', '--nope'], env)).code).toBe(2);
    expect((await cli(['restore'], env)).err).toMatch(/expected the backup FILE/);
  });

  test('invalid configuration is reported with the variable name', async () => {
    const result = await cli(['check'], { ...env, CSMS_LOG_LEVEL: 'loud' });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/CSMS_LOG_LEVEL/);
  });

  test('backup writes a verified copy into the backups folder and shows progress', async () => {
    const result = await cli(['backup'], env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/backup 100%/);
    const backups = listBackups(backupsDir(dataDir));
    expect(backups).toHaveLength(1);
    expect(backups[0]!.kind).toBe('manual');
    expect(result.out).toContain(backups[0]!.file);
  });

  test('backup --to writes the named file and refuses to overwrite it', async () => {
    const target = path.join(dataDir, 'elsewhere', 'copy.db');
    expect((await cli(['backup', '--to', target], env)).code).toBe(0);
    expect(fs.existsSync(target)).toBe(true);
    const again = await cli(['backup', `--to=${target}`], env);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });

  test('commands on a data directory without a database say so', async () => {
    const result = await cli(['check'], { CSMS_DATA_DIR: path.join(dataDir, 'empty') });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/there is no database/);
  });

  test('check reports integrity, migrations and the ledger', async () => {
    const result = await cli(['check'], env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/integrity check: ok/);
    expect(result.out).toMatch(/migrations: \d+ applied, 0 pending/);
    expect(result.out).toMatch(/ledger check: ok/);
  });

  test('create-token prints a token once that the API accepts with the given role', async () => {
    const result = await cli(['create-token', 'billing robot', '--role', 'cashier'], env);
    expect(result.code).toBe(0);
    const token = result.out.split('\n').at(-1)!;
    const db = Database.open(databaseFile(dataDir));
    try {
      expect(new ApiTokenService(db, undefined, () => undefined).verify(token)).toMatchObject({ name: 'billing robot', role: 'cashier' });
      // Only the hash is stored.
      expect(JSON.stringify(new ApiTokenService(db, undefined, () => undefined).list())).not.toContain(token);
    } finally {
      db.close();
    }
    expect((await cli(['create-token', 'x', '--role', 'owner'], env)).code).toBe(2);
  });

  describe('create-admin', () => {
    test('on a fresh data folder it makes the database (0600) and user admin, and the setup wizard is closed', async () => {
      const fresh = path.join(makeTempDir('chargeyard-first-admin-'), 'data');
      try {
        const result = await cli(['create-admin'], { CSMS_DATA_DIR: fresh }, ['generated password 1']);
        expect(result).toMatchObject({ code: 0, out: 'created staff user admin' });
        expect(fs.statSync(databaseFile(fresh)).mode & 0o777).toBe(0o600);
        const app = await startTestApp({ dataDir: fresh });
        try {
          const first = await fetch(`${app.baseUrl}/`, { redirect: 'manual' });
          expect(first.headers.get('location')).toBe('/login');
          const setup = await fetch(`${app.baseUrl}/setup`, { redirect: 'manual' });
          expect(setup.headers.get('location')).toBe('/login');
          expect(await app.app.services.staff.users.checkPassword('admin', 'generated password 1')).toMatchObject({ userName: 'admin', role: 'admin' });
        } finally {
          await app.close();
        }
      } finally {
        fs.rmSync(path.dirname(fresh), { recursive: true, force: true });
      }
    });

    test('with a staff user in place it changes nothing, and a password that breaks the rules is refused', async () => {
      expect((await cli(['create-admin'], env, ['short'])).code).toBe(1);
      expect((await cli(['create-admin'], env, ['first password 1'])).code).toBe(0);
      const again = await cli(['create-admin'], env, ['second password 2']);
      expect(again).toMatchObject({ code: 0, out: expect.stringMatching(/exists already; kept/) });
      const db = Database.open(databaseFile(dataDir));
      try {
        const users = new StaffUserService(db);
        expect(await users.checkPassword('admin', 'first password 1')).toMatchObject({ userName: 'admin' });
        expect(await users.checkPassword('admin', 'second password 2')).toBeUndefined();
      } finally {
        db.close();
      }
    });
  });

  describe('reset-password', () => {
    async function withUsers<T>(run: (users: StaffUserService) => Promise<T>): Promise<T> {
      const db = Database.open(databaseFile(dataDir));
      try {
        return await run(new StaffUserService(db));
      } finally {
        db.close();
      }
    }

    beforeEach(() => withUsers((users) => users.create({ userName: 'admin', role: 'admin', password: 'old password 1' }, testActor('test'))));

    test('sets the new password: the old one stops working and the new one signs in', async () => {
      const result = await cli(['reset-password', 'admin'], env, ['new password 2', 'new password 2']);
      expect(result.code).toBe(0);
      await withUsers(async (users) => {
        expect(await users.checkPassword('admin', 'old password 1')).toBeUndefined();
        expect(await users.checkPassword('admin', 'new password 2')).toMatchObject({ userName: 'admin' });
      });
    });

    test('two different entries change nothing', async () => {
      const result = await cli(['reset-password', 'admin'], env, ['new password 2', 'new password 3']);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/differ/);
      await withUsers(async (users) => expect(await users.checkPassword('admin', 'old password 1')).toBeDefined());
    });

    test('a password that breaks the rules is refused', async () => {
      const result = await cli(['reset-password', 'admin'], env, ['short', 'short']);
      expect(result.code).toBe(1);
      await withUsers(async (users) => expect(await users.checkPassword('admin', 'old password 1')).toBeDefined());
    });

    test('an unknown user name is refused with the names that exist', async () => {
      const result = await cli(['reset-password', 'root'], env, ['new password 2', 'new password 2']);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/no staff user "root" \(users: admin\)/);
    });
  });

  test('restore refuses while the appliance runs on the data directory', async () => {
    expect((await cli(['backup'], env)).code).toBe(0);
    const [backup] = listBackups(backupsDir(dataDir));
    // This test process stands in for the running appliance (a live Node process owns the pid file).
    writePidFile(dataDir);
    try {
      const result = await cli(['restore', backup!.file], env);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/is running \(pid \d+\).*--stop/);
    } finally {
      fs.rmSync(pidFile(dataDir), { force: true });
    }
  });

  test('a stale pid file from a crash does not block restore', async () => {
    expect((await cli(['backup'], env)).code).toBe(0);
    const [backup] = listBackups(backupsDir(dataDir));
    fs.writeFileSync(pidFile(dataDir), '999999999\n');
    const result = await cli(['restore', backup!.file], env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/previous database was saved as .*pre-restore\.db/);
  });

  test('the environment file fills in variables the environment does not set', async () => {
    const envFile = path.join(dataDir, 'env');
    fs.writeFileSync(envFile, `# comment\nCSMS_DATA_DIR="${dataDir}"\nCSMS_LOG_LEVEL=loud\n`);
    const result = await cli(['check'], { CHARGEYARD_ENV_FILE: envFile, CSMS_LOG_LEVEL: 'info' });
    expect(result.code).toBe(0);
  });
});
