import os from 'node:os';
import { startTestApp, WebClient, type TestApp, testActor } from '../testing';
import { LOCKOUT_MS, MAX_LOGIN_FAILURES } from '../staff';

const SETUP_FORM = {
  language: 'en',
  siteName: 'Depot <b>One</b>',
  currency: 'INR',
  timeZone: 'Asia/Kolkata',
  userName: 'admin',
  password: 'correct horse battery',
  passwordConfirm: 'correct horse battery',
  unknownChargerPolicy: 'pending',
  energyPricePerKwh: '18',
  sessionFee: '5',
  timePricePerHour: '0',
  publicBaseUrl: '',
};

/** This machine's first LAN (non-loopback) IPv4 address, to reach the appliance as another machine would. */
const LAN_ADDRESS = Object.values(os.networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

describe('access: the setup wizard from another machine', () => {
  // Skipped, by this name, only on a machine without any network interface but loopback.
  const onLan = LAN_ADDRESS ? it : it.skip;
  onLan('asks for the setup code from the appliance\'s log; a wrong or missing code creates nobody; the box itself needs none (skipped without a LAN address)', async () => {
    const app = await startTestApp({ config: { host: '0.0.0.0' } });
    try {
      const fromLan = new WebClient(`http://${LAN_ADDRESS}:${app.app.port}`);
      const page = await fromLan.get('/setup');
      expect(page.text).toContain('name="setupCode"');
      expect((await new WebClient(app.baseUrl).get('/setup')).text).not.toContain('name="setupCode"');

      const missing = await fromLan.post('/setup', SETUP_FORM);
      expect(missing.status).toBe(400);
      expect(missing.text).toContain('This is not the setup code in the appliance’s log');
      expect((await fromLan.post('/setup', { ...SETUP_FORM, setupCode: 'ABCD-EFGH-JKMN' })).status).toBe(400);
      // A wrong code is said beside the form's other errors, the prices' too.
      const both = await fromLan.post('/setup', { ...SETUP_FORM, energyPricePerKwh: 'lots' });
      expect(both.text).toContain('This is not the setup code in the appliance’s log');
      expect(both.text).toMatch(/id="f-energyPricePerKwh" name="energyPricePerKwh"[^>]*aria-invalid="true"/);
      expect(app.app.services.staff.users.hasAnyUser()).toBe(false);

      // As people type it: lower case, dashes or spaces.
      const code = app.app.services.staff.setupCode.grouped.toLowerCase();
      const done = await fromLan.post('/setup', { ...SETUP_FORM, setupCode: code });
      expect(done.status).toBe(303);
      expect(app.app.services.staff.users.byUserName('admin')).toBeDefined();
    } finally {
      await app.close();
    }
  });
});

describe('access: setup wizard, sign-in, CSRF, headers', () => {
  let appUnderTest: TestApp;
  beforeEach(async () => {
    appUnderTest = await startTestApp();
  });
  afterEach(async () => {
    await appUnderTest.close();
  });

  it('an anonymous visitor is sent to /setup while no staff user exists, also from /login', async () => {
    const client = new WebClient(appUnderTest.baseUrl);
    expect((await client.get('/')).location).toBe('/setup');
    expect((await client.get('/login')).location).toBe('/setup');
    const page = await client.get('/setup');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="_csrf"');
  });

  it('the setup wizard creates the admin, stores settings and the default tariff, signs in, and refuses a second run', async () => {
    const client = new WebClient(appUnderTest.baseUrl);
    const done = await client.submit('/setup', '/setup', SETUP_FORM);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/');
    const dashboard = await client.get('/');
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('Depot &lt;b&gt;One&lt;/b&gt;');
    const settings = await appUnderTest.api('GET', '/settings');
    expect(settings.body).toMatchObject({ siteName: 'Depot <b>One</b>', timeZone: 'Asia/Kolkata', unknownChargerPolicy: 'pending' });
    const tariffs = await appUnderTest.api('GET', '/tariffs');
    // The owner typed "18" and "5": rupees, stored as paise.
    expect(tariffs.body.default).toMatchObject({ energyPricePerKwh: 1800, sessionFee: 500 });

    const other = new WebClient(appUnderTest.baseUrl);
    expect((await other.get('/setup')).location).toBe('/login');
    await other.get('/login');
    const again = await other.post('/setup', { ...SETUP_FORM, userName: 'intruder' });
    expect(again.status).toBe(409);
    expect(appUnderTest.app.services.staff.users.list().map((user) => user.userName)).toEqual(['admin']);
  });

  it('two setup wizards racing: exactly one creates an admin', async () => {
    const first = new WebClient(appUnderTest.baseUrl);
    const second = new WebClient(appUnderTest.baseUrl);
    await first.get('/setup');
    await second.get('/setup');
    const results = await Promise.all([first.post('/setup', SETUP_FORM), second.post('/setup', { ...SETUP_FORM, userName: 'other' })]);
    expect(results.map((result) => result.status).sort()).toEqual([303, 409]);
    expect(appUnderTest.app.services.staff.users.count()).toBe(1);
  });

  it('the wizard asks the language first and then speaks it', async () => {
    const page = await new WebClient(appUnderTest.baseUrl).get('/setup?lang=pa');
    expect(page.text).toContain('lang="pa"');
    expect(page.text).toContain('Chargeyard ਸੈੱਟ ਅੱਪ ਕਰੋ');
    expect(page.text).toContain('<input type="hidden" name="language" value="pa">');
    const hindi = await new WebClient(appUnderTest.baseUrl).get('/setup?lang=hi');
    expect(hindi.text).toContain('एडमिन पासवर्ड');
  });

  it('setup shows inline field errors with aria-invalid and keeps the typed values (never the password)', async () => {
    const client = new WebClient(appUnderTest.baseUrl);
    const page = await client.submit('/setup', '/setup', { ...SETUP_FORM, timeZone: 'Mars/Olympus', passwordConfirm: 'something else' });
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/id="f-timeZone"[^>]*aria-invalid="true"/);
    expect(page.text).toContain('The passwords differ');
    expect(page.text).toContain('value="Mars/Olympus"');
    expect(page.text).not.toContain('correct horse battery');
    expect(appUnderTest.app.services.staff.users.count()).toBe(0);
  });

  it('a POST without a CSRF token is refused with 403 and changes nothing', async () => {
    const client = new WebClient(appUnderTest.baseUrl);
    await client.get('/setup');
    const refused = await client.post('/setup', SETUP_FORM, { csrf: null });
    expect(refused.status).toBe(403);
    const forged = await client.post('/setup', SETUP_FORM, { csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    const stranger = new WebClient(appUnderTest.baseUrl);
    const crossBrowser = await stranger.post('/setup', { ...SETUP_FORM, _csrf: client.csrfToken! });
    expect(crossBrowser.status).toBe(403);
    expect(appUnderTest.app.services.staff.users.count()).toBe(0);
  });

  it('HTML responses carry a strict CSP with frame-ancestors and nosniff', async () => {
    const page = await new WebClient(appUnderTest.baseUrl).get('/setup');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('assets are served from our origin: htmx, its SSE extension, CSS', async () => {
    for (const asset of ['/assets/htmx.min.js', '/assets/sse.min.js', '/assets/app.css', '/assets/app.js']) {
      const response = await fetch(`${appUnderTest.baseUrl}${asset}`);
      expect(response.status).toBe(200);
    }
  });

  describe('with an admin', () => {
    beforeEach(async () => {
      await appUnderTest.app.services.staff.users.create({ userName: 'admin', role: 'admin', password: 'correct horse battery' }, testActor('test'));
    });

    it('sign-in replaces the session cookie (HttpOnly, SameSite=Lax) and never redirects off-site', async () => {
      const client = new WebClient(appUnderTest.baseUrl);
      expect((await client.get('/chargers')).location).toBe('/login?next=%2Fchargers');
      await client.get('/login?next=//evil.example/');
      const response = await client.post('/login', { userName: 'Admin', password: 'correct horse battery', next: '//evil.example/' });
      expect(response.status).toBe(303);
      expect(response.location).toBe('/');
      for (const next of ['/\\evil.example/', 'https://evil.example/', '/%0d%0aLocation:x']) {
        await client.get('/');
        await client.post('/logout');
        await client.get('/login');
        const again = await client.post('/login', { userName: 'admin', password: 'correct horse battery', next });
        expect([next, again.location]).toEqual([next, next.startsWith('/%') ? next : '/']);
      }
      const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('cy_session='))!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      const firstSession = client.cookie('cy_session');

      await client.get('/'); // a signed-in page: its forms carry the rotated CSRF token
      const second = await client.post('/login', { userName: 'admin', password: 'correct horse battery', next: '/chargers' });
      expect(second.location).toBe('/chargers');
      expect(client.cookie('cy_session')).not.toBe(firstSession);
      expect(appUnderTest.app.services.staff.sessions.resolve(firstSession!)).toBeUndefined();
    });

    it(`after ${MAX_LOGIN_FAILURES} failed sign-ins the user name is locked out with 429, even with the right password`, async () => {
      const client = new WebClient(appUnderTest.baseUrl);
      await client.get('/login');
      for (let i = 0; i < MAX_LOGIN_FAILURES; i++) {
        const failed = await client.post('/login', { userName: 'admin', password: 'wrong password!' });
        expect(failed.status).toBe(401);
        expect(failed.text).toContain('Wrong user name or password');
      }
      const locked = await client.post('/login', { userName: 'admin', password: 'correct horse battery' });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(LOCKOUT_MS / 1000 - 60);
      expect(client.cookie('cy_session')).toBeUndefined();
    });

    it(`${MAX_LOGIN_FAILURES + 2} wrong passwords at once, then the right one while they are checked: refused, never more than ${MAX_LOGIN_FAILURES} checked`, async () => {
      // Each from its own address, as guesses spread over the LAN would come.
      const clients = Array.from({ length: MAX_LOGIN_FAILURES + 3 }, (_, i) => new WebClient(appUnderTest.baseUrl, { localAddress: `127.0.0.${i + 2}` }));
      await Promise.all(clients.map((client) => client.get('/login')));
      const wrong = clients.slice(0, -1).map((client) => client.post('/login', { userName: 'admin', password: 'wrong password!' }));
      // The right password comes a moment later, while the wrong ones are still being hashed.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const right = await clients[clients.length - 1]!.post('/login', { userName: 'admin', password: 'correct horse battery' });
      const answers = await Promise.all(wrong);
      expect(right.status).toBe(429);
      expect(answers.filter((answer) => answer.status !== 429).length).toBeLessThanOrEqual(MAX_LOGIN_FAILURES);
    });

    it('"change my password" counts wrong current passwords like sign-ins: locked after five, the sign-in too', async () => {
      const client = new WebClient(appUnderTest.baseUrl);
      await client.submit('/login', '/login', { userName: 'admin', password: 'correct horse battery' });
      await client.get('/me');
      for (let i = 0; i < MAX_LOGIN_FAILURES; i++) {
        const wrong = await client.post('/me/password', { currentPassword: 'not my password', newPassword: 'a brand new password' });
        expect(wrong.status).toBe(400);
      }
      const locked = await client.post('/me/password', { currentPassword: 'correct horse battery', newPassword: 'a brand new password' });
      expect(locked.status).toBe(429);
      expect(locked.text).toContain('Too many wrong passwords');
      expect(await appUnderTest.app.services.staff.users.checkPassword('admin', 'correct horse battery')).toBeDefined();
      const other = new WebClient(appUnderTest.baseUrl, { localAddress: '127.0.0.9' });
      expect((await other.submit('/login', '/login', { userName: 'admin', password: 'correct horse battery' })).status).toBe(429);
    });

    it('sign-out ends the session on the server', async () => {
      const client = new WebClient(appUnderTest.baseUrl);
      await client.submit('/login', '/login', { userName: 'admin', password: 'correct horse battery' });
      const token = client.cookie('cy_session')!;
      expect((await client.get('/')).status).toBe(200);
      const out = await client.post('/logout');
      expect(out.location).toBe('/login?signedOut=1');
      expect(appUnderTest.app.services.staff.sessions.resolve(token)).toBeUndefined();
      expect((await client.get('/')).location).toBe('/login');
    });

    it('an unknown page is a 404 page in HTML and a JSON error for JSON clients', async () => {
      const client = new WebClient(appUnderTest.baseUrl);
      await client.submit('/login', '/login', { userName: 'admin', password: 'correct horse battery' });
      const html = await client.get('/no-such-page');
      expect(html.status).toBe(404);
      expect(html.text).toContain('Page not found');
      const json = await client.get('/no-such-page', { Accept: 'application/json' });
      expect(JSON.parse(json.text)).toMatchObject({ error: { code: 'not_found' } });
    });
  });
});

describe('CSMS_ADMIN_PASSWORD', () => {
  it('creates user admin at start and the wizard is skipped', async () => {
    const appUnderTest = await startTestApp({ config: { adminPassword: 'from-the-environment' } });
    try {
      const client = new WebClient(appUnderTest.baseUrl);
      expect((await client.get('/')).location).toBe('/login');
      expect((await client.get('/setup')).location).toBe('/login');
      const signedIn = await client.submit('/login', '/login', { userName: 'admin', password: 'from-the-environment' });
      expect(signedIn.location).toBe('/');
    } finally {
      await appUnderTest.close();
    }
  });
});
