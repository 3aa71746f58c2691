import { startTestApp, WebClient, type TestApp, testActor } from '../testing';

const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'viewer', language = 'en'): Promise<WebClient> {
  const userName = `${role}-${language}`;
  if (!app.app.services.staff.users.byUserName(userName)) await app.app.services.staff.users.create({ userName, role, password: PASSWORD, language }, testActor('test'));
  const client = new WebClient(app.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  return client;
}

const SITE_FORM = { limitUnit: 'kW', limitKw: '50', limitAmps: '', supplyPhases: '3', supplyVoltage: '230', marginKw: '2', peakFrom: '', peakTo: '', peakLimitKw: '' };

describe('the load management page', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  test('an admin sets the limit in kW with a margin and a peak window; the change is audited and shown', async () => {
    const admin = await signedIn(app, 'admin');
    expect((await admin.get('/load')).text).toContain('Load management is off');
    const saved = await admin.post('/load/site', { ...SITE_FORM, peakFrom: '18:00', peakTo: '22:00', peakLimitKw: '30' });
    expect(saved.status).toBe(303);
    expect(app.app.services.load.repository.site()).toMatchObject({ limitW: 50_000, marginW: 2000, peakWindow: { fromMinute: 1080, toMinute: 1320, limitW: 30_000 } });
    const page = await admin.get('/load');
    expect(page.text).toContain('value="18:00"');
    // What holds while the appliance is away, in the service's own timings (7 minutes, then 8 at 0 for a new car).
    expect(page.text).toContain('falls back to it by itself 7 minutes after it was sent');
    expect(page.text).toContain('waits 8 minutes at 0');
    expect(page.text).toMatch(/data-testid="load-limit">(50|30) kW/);
    const [entry] = app.app.services.staff.audit.list({ action: 'load.site' }, 10);
    expect(entry).toMatchObject({ actorName: 'admin-en', objectType: 'load' });
    expect(JSON.parse(entry!.afterJson!)).toMatchObject({ limitW: 50_000, marginW: 2000 });
  });

  test('a limit stated in amperes per phase is converted with the phases and voltage and shown back in amperes', async () => {
    const admin = await signedIn(app, 'admin');
    await admin.get('/load');
    expect((await admin.post('/load/site', { ...SITE_FORM, limitUnit: 'A', limitKw: '', limitAmps: '100', supplyVoltage: '240' })).status).toBe(303);
    expect(app.app.services.load.repository.site()).toMatchObject({ limitW: 72_000, limitAmpsPerPhase: 100, supplyVoltageV: 240 });
    expect((await app.api('GET', '/load')).body).toMatchObject({ limitW: 72_000, marginW: 2000 });
    expect((await admin.get('/load')).text).toContain('value="100"');
  });

  test('wrong fields are answered next to the field and nothing changes', async () => {
    const admin = await signedIn(app, 'admin');
    await admin.get('/load');
    const bad = await admin.post('/load/site', { ...SITE_FORM, limitKw: 'fifty', peakFrom: '25:00', peakTo: '', peakLimitKw: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter power in kW, such as 50 or 7.4');
    expect(bad.text).toContain('Enter a time as HH:MM, such as 18:00');
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain('value="fifty"');
    const marginTooLarge = await admin.post('/load/site', { ...SITE_FORM, marginKw: '60' });
    expect(marginTooLarge.status).toBe(400);
    expect(marginTooLarge.text).toContain('must be less than the limit');
    expect(app.app.services.load.repository.site().limitW).toBeNull();
    // The API alike, with the margin given or the stored one (2 kW after this limit is set).
    expect((await app.api('PUT', '/load', { limitW: 5000, marginW: 5000 })).body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('must be less than limitW') });
    expect((await app.api('PUT', '/load', { limitW: 50_000, marginW: 2000 })).status).toBe(200);
    expect((await app.api('PUT', '/load', { limitW: 2000 })).status).toBe(400);
    expect(app.app.services.load.repository.site().limitW).toBe(50_000);
  });

  test('feeders, charger settings, connector and driver priorities are saved and audited', async () => {
    await app.acceptedCharger('CP <1>');
    const charger = app.app.services.chargers.view('CP <1>');
    expect(charger).toBeDefined();
    await app.app.services.chargers.recordStatus('CP <1>', { connectorId: 1, status: 'Available' });
    const driver = await app.api('POST', '/users', { name: 'Fleet van', phone: '9814012345' });
    expect(driver.status).toBe(201);
    const admin = await signedIn(app, 'admin');
    const page = await admin.get('/load');
    expect(page.text).toContain('CP &lt;1&gt;');
    expect((await admin.post('/load/groups', { name: 'Feeder <B>', limitKw: '22' })).status).toBe(303);
    const [group] = app.app.services.load.repository.groups();
    expect(group).toMatchObject({ name: 'Feeder <B>', limitW: 22_000 });
    expect((await admin.get('/load')).text).toContain('Feeder &lt;B&gt;');
    const saved = await admin.post(`/load/chargers/${encodeURIComponent('CP <1>')}`, { maxKw: '11', minKw: '', phases: '1', groupId: String(group!.id), priority: '2', c1: '5' });
    expect(saved.status).toBe(303);
    expect(app.app.services.load.repository.charger('CP <1>')).toMatchObject({ maxPowerW: 11_000, minPowerW: null, phases: 1, groupId: group!.id, priority: 2 });
    expect(app.app.services.load.repository.connectorPriorities()).toEqual([{ chargerId: 'CP <1>', connectorId: 1, priority: 5, updatedAt: expect.any(String) }]);
    expect((await admin.post('/load/drivers', { phone: ' 98140-12345 ', priority: '3' })).status).toBe(303);
    expect(app.app.services.load.repository.driverPriorities()).toEqual([{ userId: driver.body.id, priority: 3, updatedAt: expect.any(String) }]);
    expect((await admin.get('/load')).text).toContain('Fleet van');
    expect((await admin.post('/load/drivers', { phone: '12345678', priority: '3' })).text).toContain('No driver has this phone number');
    expect((await admin.post(`/load/groups/${group!.id}`, { remove: '1' })).status).toBe(303);
    expect(app.app.services.load.repository.charger('CP <1>')!.groupId).toBeNull();
    const actions = app.app.services.staff.audit.list({ actorName: 'admin-en', action: 'load.' }, 50).map((entry) => entry.action).sort();
    expect(actions).toEqual(['load.charger', 'load.connector_priority', 'load.driver_priority', 'load.group_create', 'load.group_delete']);
  });

  test('a viewer sees the page without the forms; the live fragment and the page speak Punjabi and Hindi', async () => {
    await app.api('PUT', '/load', { limitW: 40_000 });
    const viewer = await signedIn(app, 'viewer');
    const page = await viewer.get('/load');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('action="/load/site"');
    expect(page.text).toContain('sse-connect="/events/load"');
    expect((await viewer.post('/load/site', SITE_FORM)).status).toBe(403);
    for (const [language, title] of [
      ['pa', 'ਲੋਡ ਪ੍ਰਬੰਧਨ'],
      ['hi', 'लोड प्रबंधन'],
    ] as const) {
      const client = await signedIn(app, 'admin', language);
      const translated = await client.get('/load');
      expect(translated.text).toContain(title);
      expect(translated.text).toContain(language === 'pa' ? '7 ਮਿੰਟ ਬਾਅਦ' : '7 मिनट बाद');
      expect((await client.get('/fragments/load')).text).toContain('40 kW');
    }
  });
});
