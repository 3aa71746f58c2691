import { tariffView } from '../tariffs';
import { startTestApp, WebClient, type TestApp, testActor } from '../testing';
import { translator, type UiLanguage } from './i18n';

const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'cashier' | 'viewer', language: UiLanguage = 'en'): Promise<WebClient> {
  const userName = language === 'en' ? `${role}-user` : `${role}-user-${language}`;
  if (!app.app.services.staff.users.byUserName(userName)) await app.app.services.staff.users.create({ userName, role, password: PASSWORD, language }, testActor('test'));
  const client = new WebClient(app.baseUrl);
  const response = await client.submit('/login', '/login', { userName, password: PASSWORD });
  if (response.status !== 303) throw new Error(`sign-in failed: ${response.status}`);
  await client.get('/');
  return client;
}

describe('chargers pages', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('escapes a hostile BootNotification vendor string on the list, the detail page and the dashboard', async () => {
    await app.api('PATCH', '/settings', { unknownChargerPolicy: 'accept' });
    const charger = await app.charger('CP-HOSTILE');
    await charger.boot({ chargePointVendor: '<script>alert(1)', chargePointModel: '<img src=x a=1>' });
    await charger.status(1, 'Available');
    const admin = await signedIn(app, 'admin');
    for (const page of ['/chargers', '/chargers/CP-HOSTILE', '/', '/fragments/dashboard', '/chargers/CP-HOSTILE/fragments/log']) {
      const response = await admin.get(page);
      expect(response.status).toBe(200);
      expect(response.text).not.toContain('<script>alert(1)');
      expect(response.text).not.toContain('<img src=x');
    }
    expect((await admin.get('/chargers/CP-HOSTILE')).text).toContain('&lt;script&gt;alert(1)');
  });

  it('an admin accepts a pending charger; the change is in the audit log', async () => {
    const charger = await app.charger('CP-PENDING');
    await charger.boot();
    const admin = await signedIn(app, 'admin');
    const list = await admin.get('/chargers');
    expect(list.text).toContain('Waiting for approval');
    const accepted = await admin.post('/chargers/CP-PENDING/registration', { registration: 'accepted', back: '/chargers' });
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe('/chargers');
    expect(app.app.services.chargers.view('CP-PENDING')?.registration).toBe('accepted');
    const [entry] = app.app.services.staff.audit.list({}, 1);
    expect(entry).toMatchObject({ action: 'charger.registration', actorName: 'admin-user', objectId: 'CP-PENDING' });
    expect(JSON.parse(entry!.afterJson!)).toEqual({ registration: 'accepted' });
  });

  it('a viewer sees chargers but may not register, accept or send commands (403)', async () => {
    await app.acceptedCharger('CP-1');
    const viewer = await signedIn(app, 'viewer');
    expect((await viewer.get('/chargers/CP-1')).status).toBe(200);
    expect((await viewer.post('/chargers', { id: 'CP-NEW' })).status).toBe(403);
    expect((await viewer.post('/chargers/CP-1/registration', { registration: 'rejected' })).status).toBe(403);
    expect((await viewer.post('/chargers/CP-1/commands/reset', { type: 'Soft' })).status).toBe(403);
    expect(app.app.services.chargers.view('CP-NEW')).toBeUndefined();
  });

  it('registering a charger makes a password by default and shows it once, with where it goes; the charger connects with it', async () => {
    const admin = await signedIn(app, 'admin');
    const form = await admin.get('/chargers');
    expect(form.text).toMatch(/name="generatePassword" value="on" checked/);
    const registered = await admin.post('/chargers', { id: 'CP-SAFE', generatePassword: 'on' });
    expect(registered.status).toBe(201);
    const password = /data-testid="new-password-value">([a-z2-9]{20})</.exec(registered.text)![1]!;
    expect(registered.text).toContain(app.ocppUrl);
    expect(registered.text).toContain(Buffer.from(password).toString('hex').toUpperCase());
    expect(app.app.services.chargers.view('CP-SAFE')?.passwordSet).toBe(true);
    // Shown only in that answer: the page afterwards says a password is set, never which.
    const later = await admin.get('/chargers/CP-SAFE');
    expect(later.text).not.toContain(password);
    expect(later.text).toMatch(/data-testid="password-state">A password is set/);
    await expect(app.charger('CP-SAFE')).rejects.toMatchObject({ statusCode: 401 });
    const charger = await app.charger('CP-SAFE', { password });
    expect((await charger.boot()).status).toBe('Accepted');
    expect(JSON.stringify(app.app.services.staff.audit.list({}, 5))).not.toContain(password);
  });

  it('the dashboard counts chargers that connect without a password; generating one on the charger page ends its live connection', async () => {
    const open = await app.acceptedCharger('CP-OPEN');
    await app.acceptedCharger('CP-OPEN-2');
    const admin = await signedIn(app, 'admin');
    const dashboard = await admin.get('/');
    expect(dashboard.text).toMatch(/data-testid="count-no-password">2</);
    expect(dashboard.text).toContain('2 charger(s) connect without a password');
    const page = await admin.get('/chargers/CP-OPEN');
    expect(page.text).toContain('No password: any device on the site network can connect as this charger');
    const generated = await admin.post('/chargers/CP-OPEN/password');
    expect(generated.status).toBe(200);
    const password = /data-testid="new-password-value">([a-z2-9]{20})</.exec(generated.text)![1]!;
    expect(await open.waitClosed(5000)).toBe(4001);
    await expect(app.charger('CP-OPEN')).rejects.toMatchObject({ statusCode: 401 });
    expect((await (await app.charger('CP-OPEN', { password })).boot()).status).toBe('Accepted');
    expect((await admin.get('/fragments/dashboard')).text).toMatch(/data-testid="count-no-password">1</);
  });

  it('rejecting or removing a charger in the UI closes its live connection', async () => {
    const rejected = await app.acceptedCharger('CP-GONE-1');
    const removed = await app.acceptedCharger('CP-GONE-2');
    const admin = await signedIn(app, 'admin');
    expect((await admin.post('/chargers/CP-GONE-1/registration', { registration: 'rejected' })).status).toBe(303);
    expect(await rejected.waitClosed(5000)).toBe(4001);
    await expect(app.charger('CP-GONE-1')).rejects.toMatchObject({ statusCode: 404 });
    expect((await admin.post('/chargers/CP-GONE-2/delete')).status).toBe(303);
    expect(await removed.waitClosed(5000)).toBe(4001);
  });

  it('registering a charger with a bad id shows an inline error', async () => {
    const admin = await signedIn(app, 'admin');
    const response = await admin.post('/chargers', { id: 'bad/id' });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/id="f-id"[^>]*aria-invalid="true"/);
    const ok = await admin.post('/chargers', { id: 'CP-9', name: 'Bay 9' });
    expect(ok.location).toBe('/chargers/CP-9');
  });

  it('a remote Reset over htmx returns the charger reply as a fragment; a plain form gets 303 and a flash', async () => {
    await app.acceptedCharger('CP-2');
    const admin = await signedIn(app, 'admin');
    const fragment = await admin.post('/chargers/CP-2/commands/reset', { type: 'Soft' }, { headers: { 'HX-Request': 'true' } });
    expect(fragment.status).toBe(200);
    expect(fragment.text).toContain('Reset answered');
    expect(fragment.text).toContain('Accepted');
    const plain = await admin.post('/chargers/CP-2/commands/clear-cache');
    expect(plain.status).toBe(303);
    const page = await admin.get('/chargers/CP-2');
    expect(page.text).toContain('ClearCache answered');
  });

  it('Unlock on a 2.0.1 charger names the plug the page lists: N.M is connector M of EVSE N, N is an EVSE\'s only plug, and an EVSE with several plugs must be told which', async () => {
    const charger = await app.acceptedCharger('CS-PLUGS', { protocols: ['ocpp2.0.1'] });
    await charger.statusNotification201(1, 'Available', 1);
    await charger.statusNotification201(1, 'Available', 2);
    await charger.statusNotification201(2, 'Available', 3);
    const admin = await signedIn(app, 'admin');
    const page = await admin.get('/chargers/CS-PLUGS');
    expect(page.text).toContain('<option value="1.2">');
    const unlock = async (connectorId: string) => admin.post('/chargers/CS-PLUGS/commands/unlock', { connectorId }, { headers: { 'HX-Request': 'true' } });
    const before = charger.received.length;
    expect((await unlock('1.2')).text).toContain('UnlockConnector answered');
    expect((await unlock('2')).text).toContain('UnlockConnector answered');
    const ambiguous = await unlock('1');
    expect(ambiguous.text).toContain('give the one to unlock as EVSE.connector');
    expect((await unlock('1.x')).text).toContain('failed');
    expect(charger.received.slice(before).filter((call) => call.action === 'UnlockConnector').map((call) => call.payload)).toEqual([
      { evseId: 1, connectorId: 2 },
      { evseId: 2, connectorId: 3 },
    ]);
  });

  it('the configuration table shows the keys a charger reports, escaped, with an inline change per writable key', async () => {
    const charger = await app.acceptedCharger('CP-CFG');
    charger.handle('GetConfiguration', () => ({
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'Vendor<b>', readonly: true, value: '"><script>x</script>' },
      ],
      unknownKey: [],
    }));
    const admin = await signedIn(app, 'admin');
    const fragment = await admin.post('/chargers/CP-CFG/configuration', {}, { headers: { 'HX-Request': 'true' } });
    expect(fragment.status).toBe(200);
    expect(fragment.text).toContain('HeartbeatInterval');
    expect(fragment.text).toContain('action="/chargers/CP-CFG/commands/change-configuration"');
    expect(fragment.text).not.toContain('<script>x');
    expect(fragment.text).toContain('Vendor&lt;b&gt;');
    const changed = await admin.post('/chargers/CP-CFG/commands/change-configuration', { key: 'HeartbeatInterval', value: '60' }, { headers: { 'HX-Request': 'true' } });
    expect(changed.text).toContain('ChangeConfiguration answered');
    const page = await admin.post('/chargers/CP-CFG/configuration');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Charger CP-CFG</h1>');
    expect(page.text).toContain('HeartbeatInterval');
  });

  it('an active session on the charger page has its own Stop button that sends RemoteStopTransaction', async () => {
    const charger = await app.acceptedCharger('CP-STOP');
    const started = await charger.startTransaction(1, 'CAFE0001', 0);
    const admin = await signedIn(app, 'admin');
    const page = await admin.get('/chargers/CP-STOP');
    expect(page.text).toContain(`name="transactionId" value="${started.transactionId}"`);
    const stopped = await admin.post('/chargers/CP-STOP/commands/stop', { transactionId: String(started.transactionId) }, { headers: { 'HX-Request': 'true' } });
    expect(stopped.text).toContain('RemoteStop answered');
  });

  it('a charger id with ?, # and % works in every link and form (percent-encoded)', async () => {
    const id = 'Bay#1?a%b';
    await app.acceptedCharger(id);
    const admin = await signedIn(app, 'admin');
    const list = await admin.get('/chargers');
    const href = /href="(\/chargers\/Bay[^"]+)"/.exec(list.text)![1]!;
    expect(href).toBe(`/chargers/${encodeURIComponent(id)}`);
    const page = await admin.get(href);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="/chargers/${encodeURIComponent(id)}/commands/reset"`);
    const reset = await admin.post(`${href}/commands/reset`, { type: 'Soft' }, { headers: { 'HX-Request': 'true' } });
    expect(reset.text).toContain('Reset answered');
  });

  it('a command to an offline charger reports charger_offline instead of failing', async () => {
    await app.api('POST', '/chargers', { id: 'CP-OFF' });
    const admin = await signedIn(app, 'admin');
    const fragment = await admin.post('/chargers/CP-OFF/commands/reset', { type: 'Hard' }, { headers: { 'HX-Request': 'true' } });
    expect(fragment.status).toBe(200);
    expect(fragment.text).toContain('is not connected');
    // In Hindi, the refusal and a value the form refuses (an idTag longer than 36 characters) are Hindi too.
    const hi = translator('hi');
    const hindi = await signedIn(app, 'admin', 'hi');
    const offline = await hindi.post('/chargers/CP-OFF/commands/reset', { type: 'Hard' }, { headers: { 'HX-Request': 'true' } });
    expect(offline.text).toContain(hi('domainErrors.charger_offline'));
    const tooLong = await hindi.post('/chargers/CP-OFF/commands/start', { connectorId: '1', idTag: 'X'.repeat(37) }, { headers: { 'HX-Request': 'true' } });
    expect(tooLong.text).toContain(hi('domainErrors.invalid_request'));
    expect(tooLong.text).not.toContain('Too big');
  });

  it('htmx requests without the CSRF header are refused with 403', async () => {
    await app.acceptedCharger('CP-3');
    const admin = await signedIn(app, 'admin');
    const refused = await admin.post('/chargers/CP-3/commands/reset', { type: 'Soft' }, { csrf: null, headers: { 'HX-Request': 'true' } });
    expect(refused.status).toBe(403);
    const withHeader = await admin.post('/chargers/CP-3/commands/reset', { type: 'Soft' }, { csrf: null, headers: { 'HX-Request': 'true', 'X-CSRF-Token': admin.csrfToken! } });
    expect(withHeader.status).toBe(200);
  });

  it('an admin sets a tariff override for one charger and removes it again', async () => {
    await app.acceptedCharger('CP-T');
    const admin = await signedIn(app, 'admin');
    const bad = await admin.post('/chargers/CP-T/tariff', { energyPricePerKwh: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-energyPricePerKwh"[^>]*aria-invalid="true"/);
    // Prices are typed in rupees: "25" is ₹25.00 per kWh (2500 paise), never 25 paise.
    expect((await admin.post('/chargers/CP-T/tariff', { energyPricePerKwh: '25', idleFeePerHour: '6', idleGraceMinutes: '15' })).status).toBe(303);
    const inForce = app.app.services.tariffs.versionInForce('CP-T')!;
    expect(inForce).toMatchObject({ chargerId: 'CP-T', energyPricePerKwhMinor: 2500, idleFeePerHourMinor: 600, idleGraceS: 900 });
    const detail = (await admin.get('/chargers/CP-T')).text;
    expect(detail).toContain('an override for this charger');
    expect(detail).toMatch(/id="f-energyPricePerKwh"[^>]*value="25.00"/);
    expect(detail).toContain('Energy price per kWh (INR)');
    expect(detail).toMatch(/data-testid="tariff-preview"[^>]*>A 20 kWh, 1 h charge costs ₹500.00 at these prices/);
    expect((await admin.post('/chargers/CP-T/tariff/remove')).status).toBe(303);
    expect(app.app.services.tariffs.versionInForce('CP-T')?.chargerId ?? null).toBeNull();
  });

  it('an admin gives one charger an override with a band over midnight; it becomes the tariff in force there', async () => {
    await app.acceptedCharger('CP-B');
    const admin = await signedIn(app, 'admin');
    const same = await admin.post('/chargers/CP-B/tariff', { energyPricePerKwh: '25', band0Start: '10:00', band0End: '10:00', band0Price: '9' });
    expect(same.status).toBe(400);
    expect(same.text).toMatch(/id="f-band0End"[^>]*aria-invalid="true"/);
    expect(app.app.services.tariffs.versionInForce('CP-B')?.chargerId ?? null).toBeNull();
    expect((await admin.post('/chargers/CP-B/tariff', { energyPricePerKwh: '25', band0Start: '23:00', band0End: '05:00', band0Price: '9.25' })).status).toBe(303);
    const inForce = app.app.services.tariffs.versionInForce('CP-B')!;
    expect(tariffView(inForce).bands).toEqual([{ start: '23:00', end: '05:00', energyPricePerKwh: 925 }]);
    const page = (await admin.get('/chargers/CP-B')).text;
    expect(page).toMatch(/name="band0Price" type="text" value="9.25"/);
    expect(page).toContain('<li>From 23:00 to 05:00: ₹9.25 / kWh</li>');
  });

  it('a tariff with more bands than the empty form rows (set through the API) keeps them all when saved through the form', async () => {
    await app.acceptedCharger('CP-M');
    // Seven energy bands from midnight, then an eighth hour that only changes the time price.
    const bands: { start: string; end: string; energyPricePerKwh?: number; timePricePerHour?: number }[] = Array.from({ length: 7 }, (_unused, hour) => ({ start: `0${hour}:00`, end: `0${hour + 1}:00`, energyPricePerKwh: 1000 + hour }));
    bands.push({ start: '07:00', end: '08:00', timePricePerHour: 300 });
    expect((await app.api('PUT', '/tariffs/chargers/CP-M', { energyPricePerKwh: 2000, bands })).status).toBe(200);
    const admin = await signedIn(app, 'admin');
    const page = (await admin.get('/chargers/CP-M')).text;
    const fields = Object.fromEntries([...page.matchAll(/name="(band\d+(?:Start|End|Price|TimePrice))"[^>]*? value="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
    expect((await admin.post('/chargers/CP-M/tariff', { energyPricePerKwh: '20', ...fields })).status).toBe(303);
    expect(tariffView(app.app.services.tariffs.versionInForce('CP-M')!).bands).toEqual(bands);
  });

  it('the per-charger per-day report renders and exports CSV', async () => {
    await app.acceptedCharger('CP-4');
    const viewer = await signedIn(app, 'viewer');
    const page = await viewer.get('/reports/chargers?from=2026-01-01&to=2026-01-03');
    expect(page.status).toBe(200);
    expect(page.text).toContain('CP-4');
    const csv = await viewer.get('/reports/chargers?from=2026-01-01&to=2026-01-03&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toBe('date,chargerId,sessions,chargingSeconds,energyWh,fees,currency');
    expect(csv.text).toContain('2026-01-02,CP-4,0,0,0,0.00,INR');
  });
});

describe('live charger updates', () => {
  it('the charger page stream sends what the page shows on connect, then the connectors and the message log when the charger reports a new status', async () => {
    const app = await startTestApp();
    try {
      const charger = await app.acceptedCharger('CP-SSE');
      await charger.status(1, 'Available');
      const admin = await signedIn(app, 'admin');
      const controller = new AbortController();
      const response = await fetch(`${app.baseUrl}/chargers/CP-SSE/events`, { headers: { Accept: 'text/event-stream', Cookie: `cy_session=${admin.cookie('cy_session')}` }, signal: controller.signal });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      /** Both events, read to the end of the last one: the connectors, and the message log once its batch is written. */
      const bothEvents = async () => {
        let received = '';
        while (!received.includes('event: connectors') || !received.includes('event: log') || !received.endsWith('\n\n')) received += decoder.decode((await reader.read()).value);
        return received;
      };
      // On connect: a change between the page's render and its stream's opening is not lost.
      const onConnect = await bothEvents();
      expect(onConnect).toContain('data-connector="1"');
      expect(onConnect).toContain('Available');
      await charger.status(1, 'Charging');
      const received = await bothEvents();
      expect(received).toContain('data-connector="1"');
      expect(received).toContain('Charging');
      const log = received.slice(received.indexOf('event: log'));
      expect(log).toContain('StatusNotification');
      controller.abort();

      const anonymous = await fetch(`${app.baseUrl}/events/dashboard`, { headers: { Accept: 'text/event-stream' } });
      expect(anonymous.status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('the charger list stream shows a new charger waiting for approval', async () => {
    const app = await startTestApp();
    try {
      const admin = await signedIn(app, 'admin');
      const controller = new AbortController();
      const response = await fetch(`${app.baseUrl}/events/chargers`, { headers: { Accept: 'text/event-stream', Cookie: `cy_session=${admin.cookie('cy_session')}` }, signal: controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      await reader.read();
      const charger = await app.charger('CP-NEWCOMER');
      await charger.boot();
      let received = '';
      while (!received.includes('CP-NEWCOMER')) received += decoder.decode((await reader.read()).value);
      expect(received).toContain('event: chargers');
      expect(received).toContain('Waiting for approval');
      controller.abort();
    } finally {
      await app.close();
    }
  });
});
