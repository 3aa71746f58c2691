import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { createRestartableApp, type RestartableApp } from '../main';
import { backupsDir, listBackups } from '../ops/backups';
import { makeTempDir, spawnAppliance, TEST_API_TOKEN, testConfig, WebClient, testActor } from '../testing';
import { translator, type UiLanguage } from './i18n';

const PASSWORD = 'correct horse battery';

interface Harness {
  appliance: RestartableApp;
  dataDir: string;
  baseUrl: string;
}

async function startHarness(): Promise<Harness> {
  const dataDir = makeTempDir('chargeyard-maintenance-');
  const appliance = await createRestartableApp(testConfig(dataDir), { logger: pino({ level: 'silent' }) });
  const baseUrl = appliance.current().uiUrl.replace(/\/$/, '').replace('localhost', '127.0.0.1');
  return { appliance, dataDir, baseUrl };
}

async function api(harness: { baseUrl: string }, method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${harness.baseUrl}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function signedIn(harness: Harness, role: 'admin' | 'cashier' | 'viewer', language: UiLanguage = 'en'): Promise<WebClient> {
  const userName = `${role}-one-${language}`;
  const { users } = harness.appliance.current().services.staff;
  if (!users.byUserName(userName)) await users.create({ userName, role, password: PASSWORD, language }, testActor('test'));
  const client = new WebClient(harness.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  await client.get('/maintenance');
  return client;
}

/** Clicks "Back up now" and polls the progress fragment, as the page does, until it is done. */
async function backUpNow(client: WebClient): Promise<string> {
  await client.get('/maintenance');
  const started = await client.post('/maintenance/backups');
  expect([started.status, started.location]).toEqual([303, '/maintenance']);
  for (let attempt = 0; attempt < 100; attempt++) {
    const fragment = await client.get('/maintenance/fragments/backup?polling=1', { 'HX-Request': 'true' });
    if (!fragment.text.includes('hx-trigger')) {
      expect(fragment.headers.get('hx-refresh')).toBe('true');
      const name = /Backup (chargeyard-[^ ]+\.db) written/.exec(fragment.text)?.[1];
      if (!name) throw new Error(`backup did not finish well: ${fragment.text}`);
      return name;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('backup did not finish');
}

describe('admin Maintenance page: jobs, backups, restore', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness();
  });
  afterEach(async () => {
    await harness.appliance.close();
    fs.rmSync(harness.dataDir, { recursive: true, force: true });
  });

  it('lists every scheduled job, and "Run now" runs the job, records it and is audited', async () => {
    const admin = await signedIn(harness, 'admin');
    const { services } = harness.appliance.current();
    const page = await admin.get('/maintenance');
    expect(page.status).toBe(200);
    for (const name of services.jobs.names()) expect(page.text).toContain(`data-job="${name}"`);
    expect(page.text).toContain('href="/maintenance"');

    for (const name of services.jobs.names()) {
      const before = services.jobs.status().find((job) => job.name === name)!.runs;
      const answer = await admin.post(`/maintenance/jobs/${name}/run`);
      expect([name, answer.status, answer.location]).toEqual([name, 303, '/maintenance']);
      const after = services.jobs.status().find((job) => job.name === name)!;
      expect([name, after.runs, after.lastResult]).toEqual([name, before + 1, 'ok']);
    }
    const shown = await admin.get('/maintenance');
    expect(shown.text).toContain('Job Clearing old logs finished: 0 OCPP message(s) and 0 charger event(s) older than 30 day(s) removed; 0 message(s) and 0 meter reading(s) for transactions no session had, older than 30 day(s), removed; 0 expired sign-in(s) removed; 0 idempotency key(s) older than 90 days forgotten');
    expect(shown.text).not.toContain('>—</td>\n      <td>—');
    expect(services.staff.audit.list({ action: 'job.run' }, 50).length).toBe(services.jobs.names().length);
    expect((await admin.post('/maintenance/jobs/no-such-job/run')).status).toBe(404);
  });

  it('in Punjabi the jobs have their names, with the machine name small beside them, and their runs say what they did; the API and the log keep the English', async () => {
    const admin = await signedIn(harness, 'admin', 'pa');
    const { services } = harness.appliance.current();
    const pa = translator('pa');
    const backupRun = await admin.post('/maintenance/jobs/backup/run');
    expect(backupRun.status).toBe(303);
    expect((await admin.post('/maintenance/jobs/stuck-sessions/run')).status).toBe(303);
    const page = await admin.get('/maintenance');
    expect(page.text).toContain('<html lang="pa"');
    for (const name of services.jobs.names()) {
      expect(page.text).toContain(`<strong>${pa(`maintenance.jobName.${name}`)}</strong> <small class="muted"><code>${name}</code></small>`);
      expect(pa(`maintenance.jobText.${name}`)).not.toBe(translator('en')(`maintenance.jobText.${name}`));
    }
    const stuck = services.jobs.status().find((job) => job.name === 'stuck-sessions')!;
    expect(stuck.lastSummary).toBe('0 session(s) flagged stuck or open after a reboot, 0 unflagged');
    expect(stuck.lastSummaryParts).toEqual([{ key: 'sessionsFlagged', values: { flagged: 0, cleared: 0 } }]);
    expect(page.text).toContain(`<small>${pa('maintenance.jobSummary.sessionsFlagged', { flagged: 0, cleared: 0 })}</small>`);
    // The backup names its file and size: numbers and names carried into the Punjabi words.
    const backup = services.jobs.status().find((job) => job.name === 'backup')!;
    const [taken] = backup.lastSummaryParts!;
    expect(taken).toMatchObject({ key: 'backupTaken', values: { file: expect.stringMatching(/chargeyard-.*-nightly\.db$/), removed: 0 } });
    // The size is grouped as Punjabi writes numbers (5,07,904), like every number in a summary.
    expect(page.text).toContain(pa('maintenance.jobSummary.backupTaken', { ...taken!.values, sizeBytes: new Intl.NumberFormat('pa-IN').format(Number(taken!.values.sizeBytes)) }));
    expect(page.text).not.toContain('flagged stuck or open after a reboot');
    // The flash after "Run now" is Punjabi too.
    await admin.post('/maintenance/jobs/stuck-sessions/run');
    const flashed = await admin.get('/maintenance');
    expect(flashed.text).toContain(pa('maintenance.jobDone', { name: pa('maintenance.jobName.stuck-sessions'), message: pa('maintenance.jobSummary.sessionsFlagged', { flagged: 0, cleared: 0 }) }));
  });

  it.each(['cashier', 'viewer'] as const)('a %s gets 403 on every maintenance page and action', async (role) => {
    const admin = await signedIn(harness, 'admin');
    const name = await backUpNow(admin);
    const client = await signedIn(harness, role);
    await client.get('/');
    expect((await client.get('/maintenance')).status).toBe(403);
    expect((await client.get('/maintenance/fragments/backup')).status).toBe(403);
    expect((await client.get(`/maintenance/backups/${name}`)).status).toBe(403);
    expect((await client.get(`/maintenance/restore?backup=${name}`)).status).toBe(403);
    expect((await client.post('/maintenance/jobs/backup/run')).status).toBe(403);
    expect((await client.post('/maintenance/backups')).status).toBe(403);
    expect((await client.post('/maintenance/restore', { backup: name, confirm: 'yes' })).status).toBe(403);
    expect((await client.get('/')).text).not.toContain('href="/maintenance"');
  });

  it('"Back up now" writes a checked backup that downloads with the same bytes', async () => {
    const admin = await signedIn(harness, 'admin');
    const name = await backUpNow(admin);
    const listed = listBackups(backupsDir(harness.dataDir));
    expect(listed.map((backup) => [path.basename(backup.file), backup.kind])).toEqual([[name, 'manual']]);
    const page = await admin.get('/maintenance');
    expect(page.text).toContain(name);

    const response = await fetch(`${harness.baseUrl}/maintenance/backups/${name}`, { headers: { Cookie: cookieHeader(admin) } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="?${name.replace(/\./g, '\\.')}"?$`));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(fs.readFileSync(listed[0]!.file))).toBe(true);
  });

  it('a download or restore naming anything but a listed backup is 404 (no path traversal)', async () => {
    const admin = await signedIn(harness, 'admin');
    await backUpNow(admin);
    fs.writeFileSync(path.join(harness.dataDir, 'secret.txt'), 'not for download');
    for (const attempt of ['..%2Fchargeyard.db', '..%2Fsecret.txt', '%2E%2E%2Fweb-secret', '..%5Cchargeyard.db', 'chargeyard.db', '%2Fetc%2Fpasswd']) {
      const answer = await admin.get(`/maintenance/backups/${attempt}`);
      expect([attempt, answer.status]).toEqual([attempt, 404]);
      expect(answer.text).not.toContain('not for download');
    }
    expect((await admin.get('/maintenance/backups/../../chargeyard.db')).status).toBe(404);
    expect((await admin.get('/maintenance/restore?backup=..%2Fchargeyard.db')).status).toBe(404);
    expect((await admin.post('/maintenance/restore', { backup: '../chargeyard.db', confirm: 'yes' })).status).toBe(404);
  });

  it('restoring a backup brings the old data back after an in-process restart, with a safety backup of the replaced data', async () => {
    expect((await api(harness, 'POST', '/chargers', { id: 'CP-BEFORE' })).status).toBe(201);
    const admin = await signedIn(harness, 'admin');
    const name = await backUpNow(admin);
    expect((await api(harness, 'POST', '/chargers', { id: 'CP-AFTER' })).status).toBe(201);
    const firstApp = harness.appliance.current();

    const confirmPage = await admin.get(`/maintenance/restore?backup=${name}`);
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.text).toContain(name);
    const unconfirmed = await admin.post('/maintenance/restore', { backup: name });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tick the box');
    expect(harness.appliance.current()).toBe(firstApp);

    const answer = await admin.post('/maintenance/restore', { backup: name, confirm: 'yes' });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('reconnect by themselves within a minute');
    await harness.appliance.settled();

    const reopened = harness.appliance.current();
    expect(reopened).not.toBe(firstApp);
    expect(reopened.port).toBe(firstApp.port);
    expect((await api(harness, 'GET', '/chargers/CP-BEFORE')).status).toBe(200);
    expect((await api(harness, 'GET', '/chargers/CP-AFTER')).status).toBe(404);

    const safety = listBackups(backupsDir(harness.dataDir)).filter((backup) => backup.kind === 'pre-restore');
    expect(safety).toHaveLength(1);
    // The safety backup holds the data that was replaced, so the restore can be undone.
    const audit = reopened.services.staff.audit.list({ action: 'backup.restore' }, 10);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.afterJson).toContain(path.basename(safety[0]!.file));
  });

  it('an upload declared larger than 2 GiB is answered 413 before its body is read', async () => {
    const admin = await signedIn(harness, 'admin');
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${harness.baseUrl}/maintenance/restore/upload`, {
        method: 'POST',
        headers: { Cookie: cookieHeader(admin), 'x-csrf-token': admin.csrfToken ?? '', 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(3 * 1024 ** 3) },
      }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
      request.write('--x\r\n');
    });
    expect(status).toBe(413);
    expect(fs.readdirSync(harness.dataDir).filter((file) => file.startsWith('restore-upload-'))).toEqual([]);
  });

  it('an uploaded backup is restored; a damaged upload is refused with a clear message and the running data untouched', async () => {
    expect((await api(harness, 'POST', '/chargers', { id: 'CP-KEPT' })).status).toBe(201);
    const admin = await signedIn(harness, 'admin');
    const firstApp = harness.appliance.current();

    const damaged = new FormData();
    damaged.set('confirm', 'yes');
    damaged.set('file', new Blob([Buffer.from('SQLite format 3\0'.padEnd(8192, 'x'))]), 'broken.db');
    const refused = await admin.postMultipart('/maintenance/restore/upload', damaged);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('This file cannot be restored');
    expect(refused.text).toContain('broken.db is not a usable Chargeyard database');
    expect(refused.text).toContain('it is not a database file SQLite can open.');
    expect(refused.text).toContain('Nothing was changed');

    // Another program's database, uploaded by a Hindi-speaking admin: the reason in Hindi, SQLite's words kept small beside it.
    const otherFile = path.join(makeTempDir(), 'other.db');
    const other = new Database(otherFile);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    const foreign = new FormData();
    foreign.set('confirm', 'yes');
    foreign.set('file', new Blob([fs.readFileSync(otherFile)]), 'other.db');
    const hi = translator('hi');
    const hindi = await signedIn(harness, 'admin', 'hi');
    const refusedInHindi = await hindi.postMultipart('/maintenance/restore/upload', foreign);
    expect(refusedInHindi.status).toBe(400);
    expect(refusedInHindi.text).toContain(`${hi('maintenance.refused')} ${hi('maintenance.restoreProblem.not_chargeyard')}`);
    expect(refusedInHindi.text).toContain('<small>other.db is not a usable Chargeyard database: it has no schema_migrations table</small>');
    expect(harness.appliance.current()).toBe(firstApp);
    expect((await api(harness, 'GET', '/chargers/CP-KEPT')).status).toBe(200);
    expect(fs.readdirSync(harness.dataDir).filter((file) => file.startsWith('restore-upload-'))).toEqual([]);
    expect(listBackups(backupsDir(harness.dataDir)).filter((backup) => backup.kind === 'pre-restore')).toEqual([]);

    const withoutCsrf = new WebClient(harness.baseUrl);
    expect((await withoutCsrf.postMultipart('/maintenance/restore/upload', damaged)).status).toBe(403);

    // A good file: a backup of this database, downloaded and uploaded again after a change.
    const name = await backUpNow(admin);
    const backupBytes = fs.readFileSync(path.join(backupsDir(harness.dataDir), name));
    expect((await api(harness, 'POST', '/chargers', { id: 'CP-LATER' })).status).toBe(201);
    const good = new FormData();
    good.set('confirm', 'yes');
    good.set('file', new Blob([backupBytes]), 'from-the-usb-stick.db');
    const accepted = await admin.postMultipart('/maintenance/restore/upload', good, { 'HX-Request': 'true' });
    expect(accepted.status).toBe(200);
    expect(accepted.text).toContain('data-testid="restarting"');
    await harness.appliance.settled();
    expect((await api(harness, 'GET', '/chargers/CP-KEPT')).status).toBe(200);
    expect((await api(harness, 'GET', '/chargers/CP-LATER')).status).toBe(404);
    expect(fs.readdirSync(harness.dataDir).filter((file) => file.startsWith('restore-upload-'))).toEqual([]);
    expect(listBackups(backupsDir(harness.dataDir)).filter((backup) => backup.kind === 'pre-restore')).toHaveLength(1);
  });
});

describe('uploads cut off by a crash', () => {
  it('are removed from the data directory when the appliance starts', async () => {
    const dataDir = makeTempDir('chargeyard-maintenance-leftover-');
    fs.writeFileSync(path.join(dataDir, 'restore-upload-0123456789abcdef.db'), 'half an upload');
    const appliance = await createRestartableApp(testConfig(dataDir), { logger: pino({ level: 'silent' }) });
    try {
      expect(fs.readdirSync(dataDir).filter((file) => file.startsWith('restore-upload-'))).toEqual([]);
    } finally {
      await appliance.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the compiled appliance restores from the admin UI in-process', () => {
  it('keeps its pid file and port, restarts with the restored data and still stops cleanly on SIGTERM', async () => {
    const dataDir = makeTempDir('chargeyard-maintenance-main-');
    const appliance = await spawnAppliance(dataDir, { CSMS_ADMIN_PASSWORD: PASSWORD, CSMS_LOG_LEVEL: 'info' });
    try {
      const harness = { baseUrl: appliance.baseUrl };
      expect((await api(harness, 'POST', '/chargers', { id: 'CP-BEFORE' })).status).toBe(201);
      const admin = new WebClient(appliance.baseUrl);
      expect((await admin.submit('/login', '/login', { userName: 'admin', password: PASSWORD })).status).toBe(303);
      const name = await backUpNow(admin);
      expect((await api(harness, 'POST', '/chargers', { id: 'CP-AFTER' })).status).toBe(201);
      expect((await admin.post('/maintenance/restore', { backup: name, confirm: 'yes' })).status).toBe(200);
      // The same port answers again once the reopened app listens.
      let restored = false;
      for (let attempt = 0; attempt < 100 && !restored; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        restored = appliance.stdout().includes('"reason":"restore of') && (await api(harness, 'GET', '/chargers/CP-AFTER').catch(() => ({ status: 0 }))).status === 404;
      }
      expect(restored).toBe(true);
      expect((await api(harness, 'GET', '/chargers/CP-BEFORE')).status).toBe(200);
      expect(fs.readFileSync(path.join(dataDir, 'chargeyard.pid'), 'utf8').trim()).toBe(String(appliance.child.pid));
      appliance.child.kill('SIGTERM');
      expect(await appliance.exited).toEqual({ code: 0, signal: null });
    } finally {
      appliance.child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** The client's cookies for a raw fetch (downloads are read as bytes, not text). */
function cookieHeader(client: WebClient): string {
  return ['cy_visitor', 'cy_csrf', 'cy_session']
    .map((name) => [name, client.cookie(name)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
