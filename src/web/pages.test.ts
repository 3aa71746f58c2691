import fs from 'node:fs';
import path from 'node:path';
import { backupFileName, backupsDir } from '../ops/backups';
import { startTestApp, WebClient, type TestApp, testActor } from '../testing';
import { translator } from './i18n';

const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'cashier' | 'viewer'): Promise<WebClient> {
  const userName = `${role}-one`;
  if (!app.app.services.staff.users.byUserName(userName)) await app.app.services.staff.users.create({ userName, role, password: PASSWORD }, testActor('test'));
  const client = new WebClient(app.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  await client.get('/');
  return client;
}

describe('staff pages: every page per role, admin pages, audit log', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    const charger = await app.acceptedCharger('CP-P1');
    await charger.status(1, 'Available');
    await app.api('POST', '/cards', { uid: 'A0A0A0A0', kind: 'prepaid' });
  });
  afterAll(async () => {
    await app.close();
  });

  const EVERY_ROLE = ['/', '/fragments/dashboard', '/chargers', '/chargers/CP-P1', '/chargers/CP-P1/fragments/log', '/chargers/CP-P1/fragments/connectors', '/sessions', '/reports', '/reports/chargers', '/reports/period', '/reports/period?by=card', '/me', '/drivers', '/fragments/chargers', '/load', '/fragments/load', '/fragments/load-chart'];
  const CASHIER_UP = ['/cashier', '/cashier?uid=A0A0A0A0'];
  const ADMIN_ONLY = ['/staff', '/tokens', '/audit', '/settings'];

  it.each(['admin', 'cashier', 'viewer'] as const)('role %s: sees its pages and gets 403 on the others', async (role) => {
    const client = await signedIn(app, role);
    for (const page of EVERY_ROLE) expect([page, (await client.get(page)).status]).toEqual([page, 200]);
    for (const page of CASHIER_UP) expect([page, (await client.get(page)).status]).toEqual([page, role === 'viewer' ? 403 : 200]);
    for (const page of ADMIN_ONLY) expect([page, (await client.get(page)).status]).toEqual([page, role === 'admin' ? 200 : 403]);
  });

  // Every state-changing route and the least role that may use it.
  const WRITES: [string, 'cashier' | 'admin'][] = [
    ['/cashier/topups', 'cashier'],
    ['/cashier/new-card', 'cashier'],
    ['/cashier/topups/confirm', 'cashier'],
    ['/cashier/new-card/confirm', 'cashier'],
    ['/cashier/shift/open', 'cashier'],
    ['/cashier/shift/close', 'cashier'],
    ['/drivers', 'cashier'],
    ['/drivers/1', 'cashier'],
    ['/drivers/1/cards', 'cashier'],
    ['/cards/A0A0A0A0/status', 'cashier'],
    ['/unknown-cards/attach', 'cashier'],
    ['/drivers/1/adjustments', 'admin'],
    ['/topups/1/refund', 'admin'],
    ['/chargers', 'admin'],
    ['/chargers/CP-P1/registration', 'admin'],
    ['/chargers/CP-P1/delete', 'admin'],
    ['/chargers/CP-P1/tariff', 'admin'],
    ['/chargers/CP-P1/tariff/remove', 'admin'],
    ['/chargers/CP-P1/configuration', 'admin'],
    ['/chargers/CP-P1/commands/reset', 'admin'],
    ['/staff', 'admin'],
    ['/staff/1', 'admin'],
    ['/staff/1/unlock', 'admin'],
    ['/tokens', 'admin'],
    ['/tokens/1/revoke', 'admin'],
    ['/settings', 'admin'],
    ['/settings/tariff', 'admin'],
    ['/load/site', 'admin'],
    ['/load/groups', 'admin'],
    ['/load/groups/1', 'admin'],
    ['/load/chargers/CP-P1', 'admin'],
    ['/load/drivers', 'admin'],
    ['/load/drivers/1/remove', 'admin'],
  ];

  it('a viewer is refused every write, a cashier every admin write (403, nothing changes)', async () => {
    const viewer = await signedIn(app, 'viewer');
    const cashier = await signedIn(app, 'cashier');
    const auditBefore = app.app.services.staff.audit.list({}, 1000).length;
    for (const [path, least] of WRITES) {
      expect([path, 'viewer', (await viewer.post(path, {})).status]).toEqual([path, 'viewer', 403]);
      if (least === 'admin') expect([path, 'cashier', (await cashier.post(path, {})).status]).toEqual([path, 'cashier', 403]);
    }
    expect(app.app.services.chargers.view('CP-P1')).toBeDefined();
    expect(app.app.services.staff.audit.list({}, 1000).length).toBe(auditBefore);
  });

  it('every write without a CSRF token is refused with 403, even for an admin, and changes nothing', async () => {
    const admin = await signedIn(app, 'admin');
    const auditBefore = app.app.services.staff.audit.list({}, 1000).length;
    for (const [path] of [...WRITES, ['/logout'], ['/me'], ['/me/password']] as [string][]) {
      expect([path, (await admin.post(path, {}, { csrf: null })).status]).toEqual([path, 403]);
      expect([path, (await admin.post(path, {}, { csrf: null, headers: { 'HX-Request': 'true' } })).status]).toEqual([path, 403]);
    }
    expect(app.app.services.staff.audit.list({}, 1000).length).toBe(auditBefore);
    expect((await admin.get('/')).status).toBe(200);
  });

  it('sessions list filters and a session detail renders with its cost', async () => {
    const charger = await app.acceptedCharger('CP-P2');
    const started = await charger.startTransaction(1, 'A0A0A0A0', 1000);
    await charger.meterValues(1, started.transactionId, 3000);
    await charger.stopTransaction(started.transactionId, 5000);
    const viewer = await signedIn(app, 'viewer');
    const list = await viewer.get('/sessions?chargerId=CP-P2&status=completed');
    expect(list.text).toContain('CP-P2 / 1');
    const id = /href="\/sessions\/(\d+)"/.exec(list.text)![1];
    const detail = await viewer.get(`/sessions/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('4 kWh');
    expect((await viewer.get('/sessions?chargerId=NOPE')).text).toContain('No sessions.');
    const csv = await viewer.get('/sessions?chargerId=CP-P2&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, row] = csv.text.trim().split('\n');
    expect(header).toBe('id,chargerId,connectorId,cardUid,userId,status,startedAt,stoppedAt,energyWh,cost,currency,stopReason');
    expect(row).toMatch(/^\d+,CP-P2,1,A0A0A0A0,.*,completed,.*,4000,.*,INR,/);
    const byCard = await viewer.get('/reports/period?by=card&format=csv');
    expect(byCard.headers.get('content-type')).toContain('text/csv');
    expect(byCard.text).toContain('A0A0A0A0');
    expect((await viewer.get('/sessions/999999')).status).toBe(404);
  });

  it('an admin creates a staff user; the new user signs in with the given role; the audit log shows and exports it', async () => {
    const admin = await signedIn(app, 'admin');
    const created = await admin.post('/staff', { userName: 'Desk2', role: 'cashier', password: 'another long one', language: 'hi' });
    expect(created.status).toBe(303);
    const desk = new WebClient(app.baseUrl);
    expect((await desk.submit('/login', '/login', { userName: 'desk2', password: 'another long one' })).location).toBe('/');
    const home = await desk.get('/');
    expect(home.text).toContain('lang="hi"');
    expect(home.text).toContain('डैशबोर्ड');

    const taken = await admin.post('/staff', { userName: 'desk2', role: 'viewer', password: 'another long one' });
    expect(taken.status).toBe(409);
    expect(taken.text).toMatch(/id="f-userName"[^>]*aria-invalid="true"/);

    const audit = await admin.get('/audit?objectType=staff_user&action=staff.create');
    expect(audit.text).toContain('staff.create');
    expect(audit.text).toContain('desk2');
    const csv = await admin.get('/audit?action=staff.create&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toBe('id,at,actor,action,objectType,objectId,before,after');
    expect(csv.text).toContain('admin-one,staff.create,staff_user');
    expect(csv.text).not.toContain('another long one');
  });

  it('an admin sees a locked-out user and unlocks them without changing the password', async () => {
    const admin = await signedIn(app, 'admin');
    await app.app.services.staff.users.create({ userName: 'forgetful', role: 'viewer', password: 'forgetful password' }, testActor('test'));
    for (let i = 0; i < 5; i++) await app.app.services.staff.throttle.recordFailure('forgetful');
    const page = await admin.get('/staff');
    expect(page.text).toContain('Locked after failed sign-ins');
    const id = app.app.services.staff.users.byUserName('forgetful')!.id;
    expect((await admin.post(`/staff/${id}/unlock`)).status).toBe(303);
    expect(app.app.services.staff.throttle.retryAfterS('forgetful')).toBe(0);
    const user = new WebClient(app.baseUrl);
    expect((await user.submit('/login', '/login', { userName: 'forgetful', password: 'forgetful password' })).status).toBe(303);
  });

  it('an admin creates an API token (shown once, works on the API) and revokes it', async () => {
    const admin = await signedIn(app, 'admin');
    const created = await admin.post('/tokens', { name: 'Billing export', role: 'viewer' });
    expect(created.status).toBe(201);
    const token = /data-testid="new-token">([^<]+)</.exec(created.text)![1]!;
    expect((await app.api('GET', '/chargers', undefined, { token })).status).toBe(200);
    const id = app.app.services.tokens.list().find((row) => row.name === 'Billing export')!.id;
    expect((await admin.post(`/tokens/${id}/revoke`)).status).toBe(303);
    expect((await app.api('GET', '/chargers', undefined, { token })).status).toBe(401);
    expect((await admin.get('/tokens')).text).not.toContain(token);
  });

  it('an admin changes settings and the default tariff; bad input comes back inline', async () => {
    const admin = await signedIn(app, 'admin');
    const bad = await admin.post('/settings', { siteName: 'Yard', currency: 'INR', timeZone: 'Nowhere/Place', language: 'en', unknownChargerPolicy: 'pending', minimumBalance: '0', publicBaseUrl: '', cardReaderFormat: 'hex' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-timeZone"[^>]*aria-invalid="true"/);
    const good = await admin.post('/settings', { siteName: 'Yard', currency: 'INR', timeZone: 'Asia/Kolkata', language: 'pa', unknownChargerPolicy: 'reject', minimumBalance: '10.50', publicBaseUrl: 'https://yard.example/', cardReaderFormat: 'decimal' });
    expect(good.status).toBe(303);
    expect((await app.api('GET', '/settings')).body).toMatchObject({ siteName: 'Yard', unknownChargerPolicy: 'reject', minimumBalance: { amount: 1050 }, publicBaseUrl: 'https://yard.example', cardReaderFormat: 'decimal' });
    const tariff = await admin.post('/settings/tariff', { energyPricePerKwh: '18', sessionFee: '10', timePricePerHour: '1.50' });
    expect(tariff.status).toBe(303);
    expect((await app.api('GET', '/tariffs')).body.default).toMatchObject({ energyPricePerKwh: 1800, sessionFee: 1000, timePricePerHour: 150 });
    // 20 kWh at ₹18 + 1 h at ₹1.50 + ₹10 = ₹371.50
    expect((await admin.get('/settings')).text).toMatch(/data-testid="tariff-preview"[^>]*>A 20 kWh, 1 h charge costs ₹371.50 at these prices/);
    const paise = await admin.post('/settings/tariff', { energyPricePerKwh: '18.505', sessionFee: 'ten', timePricePerHour: '' });
    expect(paise.status).toBe(400);
    expect(paise.text).toMatch(/id="f-energyPricePerKwh"[^>]*aria-invalid="true"/);
    expect(paise.text).toMatch(/id="f-sessionFee"[^>]*aria-invalid="true"/);
    await app.api('PATCH', '/settings', { language: 'en', unknownChargerPolicy: 'pending', cardReaderFormat: 'hex' });
  });

  it('the receipt settings are set on the settings page in major units; every bad amount is shown beside its field', async () => {
    const admin = await signedIn(app, 'admin');
    const form = { siteName: 'Yard', currency: 'INR', timeZone: 'Asia/Kolkata', language: 'en', unknownChargerPolicy: 'pending', publicBaseUrl: '', cardReaderFormat: 'hex' };
    const bad = await admin.post('/settings', { ...form, minimumBalance: 'ten', largeTopupWarning: '-5', siteAddress: '', receiptPaper: 'a4' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-minimumBalance"[^>]*aria-invalid="true"/);
    expect(bad.text).toMatch(/id="f-largeTopupWarning"[^>]*aria-describedby="h-largeTopupWarning e-largeTopupWarning" aria-invalid="true"/);
    const good = await admin.post('/settings', { ...form, minimumBalance: '0', largeTopupWarning: '2,500', siteAddress: 'Plot 7, GT Road\r\nJalandhar', receiptPaper: 'a4' });
    expect(good.status).toBe(303);
    expect((await app.api('GET', '/settings')).body).toMatchObject({ siteAddress: 'Plot 7, GT Road\nJalandhar', largeTopupWarning: { amount: 250000, currency: 'INR' }, receiptPaper: 'a4' });
    const page = (await admin.get('/settings')).text;
    expect(page).toMatch(/id="f-largeTopupWarning"[^>]*value="2500.00"/);
    expect(page).toContain('<option value="a4" selected>A4 sheet</option>');
  });

  it('an admin saves time-of-day bands on the default tariff through the form; the tariff in force has them, audited and shown back', async () => {
    const admin = await signedIn(app, 'admin');
    const saved = await admin.post('/settings/tariff', {
      energyPricePerKwh: '20', band0Start: '22:00', band0End: '06:00', band0Price: '8.50',
      band1Start: '', band1End: '', band1Price: '', band2Start: '12:00', band2End: '14:30', band2Price: '25',
    });
    expect(saved.status).toBe(303);
    const tariffs = (await app.api('GET', '/tariffs')).body;
    expect(tariffs.default).toMatchObject({ energyPricePerKwh: 2000, bands: [{ start: '22:00', end: '06:00', energyPricePerKwh: 850 }, { start: '12:00', end: '14:30', energyPricePerKwh: 2500 }] });
    const [entry] = app.app.services.staff.audit.list({ action: 'tariff.set' }, 1);
    expect(entry!.action).toBe('tariff.set_default');
    expect(JSON.parse(entry!.afterJson!)).toMatchObject({ bands: [{ start: '22:00', end: '06:00', energyPricePerKwh: 850 }, { start: '12:00', end: '14:30' }] });
    const page = (await admin.get('/settings')).text;
    expect(page).toMatch(/name="band0Start" type="text" value="22:00"/);
    expect(page).toMatch(/name="band0Price" type="text" value="8.50"/);
    expect(page).toMatch(/name="band1Start" type="text" value="12:00"/);
    expect(page).toMatch(/name="band2Start" type="text" value=""/);
    expect(page).toContain('Price per kWh (INR)');
  });

  it('a bad time or overlapping bands come back inline next to the field and change nothing', async () => {
    const admin = await signedIn(app, 'admin');
    const before = (await app.api('GET', '/tariffs')).body.default;
    const badTime = await admin.post('/settings/tariff', { energyPricePerKwh: '20', band0Start: '25:00', band0End: '06:00', band0Price: '8' });
    expect(badTime.status).toBe(400);
    expect(badTime.text).toMatch(/id="f-band0Start"[^>]*aria-invalid="true" aria-describedby="e-band0Start"/);
    expect(badTime.text).toContain('<p class="error" id="e-band0Start">Enter a time as HH:MM, such as 22:00</p>');
    expect(badTime.text).toMatch(/name="band0Start" type="text" value="25:00"/);
    const overlap = await admin.post('/settings/tariff', { energyPricePerKwh: '20', band0Start: '22:00', band0End: '06:00', band0Price: '8', band1Start: '05:00', band1End: '07:00', band1Price: '9' });
    expect(overlap.status).toBe(400);
    expect(overlap.text).toMatch(/id="f-band1Start"[^>]*aria-invalid="true"/);
    expect(overlap.text).toContain('This band overlaps an earlier band');
    expect(overlap.text).not.toMatch(/id="f-band0Start"[^>]*aria-invalid/);
    const noPrice = await admin.post('/settings/tariff', { energyPricePerKwh: '20', band0Start: '22:00', band0End: '06:00', band0Price: 'cheap' });
    expect(noPrice.text).toMatch(/id="f-band0Price"[^>]*aria-invalid="true"/);
    expect((await app.api('GET', '/tariffs')).body.default).toEqual(before);
  });

  it('a staff user switches language and theme in the preferences', async () => {
    const viewer = await signedIn(app, 'viewer');
    expect((await viewer.post('/me', { language: 'pa', theme: 'dark' })).status).toBe(303);
    const home = await viewer.get('/');
    expect(home.text).toContain('lang="pa"');
    expect(home.text).toContain('data-theme="dark"');
    expect(home.text).toContain('ਡੈਸ਼ਬੋਰਡ');
    await viewer.post('/me', { language: 'en', theme: 'system' });
  });
});

describe('dashboard backup alert', () => {
  it('alerts with no backup file, and not when a recent backup is on disk (whatever the job table knows)', async () => {
    const app = await startTestApp();
    try {
      const admin = await signedIn(app, 'admin');
      expect((await admin.get('/fragments/dashboard')).text).toContain('No backup has been taken yet.');
      const dir = backupsDir(app.dataDir);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, backupFileName('nightly', new Date())), 'x');
      const after = await admin.get('/fragments/dashboard');
      expect(after.text).not.toContain('No backup has been taken yet.');
      expect(after.text).not.toContain('The last backup is');
    } finally {
      await app.close();
    }
  });
});

describe('live session page', () => {
  it('a running session streams its energy as meter values arrive', async () => {
    const app = await startTestApp();
    try {
      const charger = await app.acceptedCharger('CP-RUN');
      const started = await charger.startTransaction(1, 'B0B0B0B0', 10_000);
      const admin = await signedIn(app, 'admin');
      const sessionId = app.app.services.sessions.repository.active('CP-RUN')[0]!.id;
      const page = await admin.get(`/sessions/${sessionId}`);
      expect(page.text).toContain(`sse-connect="/sessions/${sessionId}/events"`);
      const controller = new AbortController();
      const response = await fetch(`${app.baseUrl}/sessions/${sessionId}/events`, { headers: { Accept: 'text/event-stream', Cookie: `cy_session=${admin.cookie('cy_session')}` }, signal: controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      await reader.read();
      await charger.meterValues(1, started.transactionId, 12_500);
      let received = '';
      while (!received.includes('2.5 kWh')) received += decoder.decode((await reader.read()).value);
      expect(received).toContain('event: session');
      controller.abort();
    } finally {
      await app.close();
    }
  });
});

describe('the dashboard in Punjabi', () => {
  it('names a failed background job by its Punjabi name', async () => {
    let app = await startTestApp();
    try {
      // A failed nightly backup as the job history keeps it; a restart reads the last run back.
      await app.app.services.jobHistory.record({ job: 'backup', trigger: 'scheduled', result: 'failed', summary: 'ENOSPC: no space left on device', summaryParts: null, startedAt: new Date().toISOString(), durationMs: 12 });
      app = await app.restart();
      await app.app.services.staff.users.create({ userName: 'viewer-pa', role: 'viewer', password: PASSWORD, language: 'pa' }, testActor('test'));
      const viewer = new WebClient(app.baseUrl);
      await viewer.submit('/login', '/login', { userName: 'viewer-pa', password: PASSWORD });
      const dashboard = await viewer.get('/fragments/dashboard');
      const pa = translator('pa');
      expect(dashboard.text).toContain(pa('dashboard.alertJob', { job: pa('maintenance.jobName.backup'), result: 'ENOSPC: no space left on device' }));
    } finally {
      await app.close();
    }
  });
});
