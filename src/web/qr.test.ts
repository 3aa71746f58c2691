import { connectorPageUrl, qrSvg } from '../qrstart';
import { startTestApp, V16_SCRIPT, WebClient, type SimulatedCharger, type TestApp, testActor } from '../testing';

/**
 * The QR pages over HTTP (CONTRACT "Web pages", QR start): a phone that scans the code, signs in with phone and PIN, holds
 * an amount and follows its charge; the staff's label sheets and the API's QR SVG.
 */
const TARIFF = { energyPricePerKwh: 2000, sessionFee: 500, timePricePerHour: 0 };
const PHONE = '+919800000001';
const PIN = '2468';

let app: TestApp;
afterEach(async () => {
  expect(app.app.services.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
  await app.close();
});

async function site(chargerId = 'QR1'): Promise<{ charger: SimulatedCharger; userId: number; phone: WebClient; page: string }> {
  // No test here waits for a start to expire (src/qrstart tests do): the windows only need to outlast a busy machine.
  app = await startTestApp({ app: { qrStart: { commandTimeoutMs: 10_000, plugInTimeoutMs: 30_000 } } });
  await app.api('PUT', '/tariffs/default', TARIFF);
  const charger = await app.acceptedCharger(chargerId);
  await charger.status(1, 'Available');
  const user = await app.api('POST', '/users', { name: 'Asha <b>K</b>', phone: PHONE, pin: PIN });
  await app.api('POST', `/users/${user.body.id}/topups`, { amount: 50000, method: 'cash' });
  return { charger, userId: user.body.id, phone: new WebClient(app.baseUrl), page: `/q/${encodeURIComponent(chargerId)}/1` };
}

async function available(userId: number): Promise<number> {
  return (await app.api('GET', `/users/${userId}`)).body.available.amount;
}

function formKeyOf(html: string): string {
  return /name="formKey" value="([^"]+)"/.exec(html)![1]!;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('QR pages', () => {
  test('an unknown charger or connector in the URL is a 404 page without a stack trace', async () => {
    const { phone } = await site();
    for (const path of ['/q/NOPE/1', '/q/QR1/7', '/q/QR1/abc', '/q/QR1/0']) {
      const page = await phone.get(path);
      expect([path, page.status]).toEqual([path, 404]);
      expect(page.text).toContain('There is no charger or connector at this address');
      expect(page.text).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  test('the page shows charger, live connector status and the tariff in plain words without a staff login', async () => {
    const { phone, page, charger } = await site();
    await app.api('PATCH', '/chargers/QR1', { name: 'Bay <img src=x onerror=alert(1)>' });
    const first = await phone.get(page);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Bay &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(first.text).not.toContain('<img src=x');
    expect(first.text).toContain('₹20.00 per kWh');
    expect(first.text).toContain('₹5.00 per session');
    expect(first.text).toMatch(/data-testid="connector-status">Available</);
    await charger.status(1, 'Faulted', 'GroundFailure');
    const faulted = await phone.get(page);
    expect(faulted.text).toMatch(/data-testid="connector-status">Faulted</);
    // Out of order: the page says so and asks nobody to sign in.
    expect(faulted.text).toContain('This connector is out of order');
    expect(faulted.text).toContain('This connector is out of service right now.');
    expect(faulted.text).not.toContain('name="pin"');
    const status = await phone.get(`${page}/status?drawn=out`);
    expect(status.text).toMatch(/^<div id="qr-connector-status" hx-get="\/q\/QR1\/1\/status\?drawn=out"/);
    expect(status.text).toMatch(/data-testid="connector-status">Faulted</);
    expect(status.text).not.toContain('status-changed');
    // Back in service: the polled status offers the page as it is now.
    await charger.status(1, 'Available');
    expect((await phone.get(`${page}/status?drawn=out`)).text).toContain('data-testid="status-changed"');
  });

  test('wrong PINs are answered clearly and lock the phone number after five tries, even for the right PIN', async () => {
    const { phone, page } = await site();
    await phone.get(page);
    const wrong = await phone.post(`${page}/sign-in`, { phone: PHONE, pin: '0000' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Phone number or PIN is wrong. 4 attempts left');
    for (let attempt = 0; attempt < 4; attempt++) await phone.post(`${page}/sign-in`, { phone: PHONE, pin: '0000' });
    const locked = await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Too many wrong PINs. Try again in 15 minutes');
    expect(phone.cookie('cy_driver')).toBeUndefined();
  });

  test('eleven wrong PINs sent at once, then the right one while they are checked: refused, no more tries than one by one', async () => {
    const { page } = await site();
    // Each from its own address, so the per-address limits play no part: the count alone must hold.
    const phones = Array.from({ length: 12 }, (_, i) => new WebClient(app.baseUrl, { localAddress: `127.0.0.${i + 2}` }));
    await Promise.all(phones.map((phone) => phone.get(page)));
    const wrong = phones.slice(0, 11).map((phone) => phone.post(`${page}/sign-in`, { phone: PHONE, pin: '0000' }));
    // The right PIN comes a moment later, while the wrong ones are still being hashed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const right = await phones[11]!.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    const answers = await Promise.all(wrong);
    expect(right.status).toBe(429);
    expect(phones[11]!.cookie('cy_driver')).toBeUndefined();
    expect(answers.filter((answer) => answer.status !== 429).length).toBeLessThanOrEqual(5);
  });

  test('one address trying many phone numbers is slowed down (429) whatever numbers it tries', async () => {
    const { phone, page } = await site();
    await phone.get(page);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 31; attempt++) statuses.push((await phone.post(`${page}/sign-in`, { phone: `+9198000100${String(attempt).padStart(2, '0')}`, pin: '1111' })).status);
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    // 31 sign-ins, each checking a PIN with scrypt: over 30 s on a busy 2-core machine.
  }, 300_000);

  test('a driver registered as +91 98000 00001 signs in with the number written locally, and wrong PINs lock every way of writing it', async () => {
    const { phone, page } = await site();
    await phone.get(page);
    const local = await phone.post(`${page}/sign-in`, { phone: '098000 00001', pin: PIN });
    expect([local.status, local.location]).toEqual([303, page]);
    const other = new WebClient(app.baseUrl);
    await other.get(page);
    const ways = ['98000 00001', '+91 98000-00001', '0091 9800000001', '09800000001', '9800000001'];
    for (const way of ways) await other.post(`${page}/sign-in`, { phone: way, pin: '0000' });
    const locked = await other.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    expect(locked.status).toBe(429);
  });

  test('changing the PIN (API), signing out everywhere (driver page) and removing the PIN each end every QR-page sign-in', async () => {
    const { page, userId } = await site();
    const phones = [new WebClient(app.baseUrl), new WebClient(app.baseUrl)];
    const signIn = async (phone: WebClient, pin: string) => {
      await phone.get(page);
      return (await phone.post(`${page}/sign-in`, { phone: PHONE, pin })).status;
    };
    const signedIn = async (phone: WebClient) => (await phone.get(page)).text.includes('Signed in as');
    for (const phone of phones) expect(await signIn(phone, PIN)).toBe(303);
    expect(await Promise.all(phones.map(signedIn))).toEqual([true, true]);

    expect((await app.api('PATCH', `/users/${userId}`, { pin: '1357' })).status).toBe(200);
    expect(await Promise.all(phones.map(signedIn))).toEqual([false, false]);
    expect(await signIn(phones[0]!, '1357')).toBe(303);
    expect(await signedIn(phones[0]!)).toBe(true);

    await app.app.services.staff.users.create({ userName: 'desk', role: 'cashier', password: 'correct horse battery' }, testActor('test'));
    const staff = new WebClient(app.baseUrl);
    await staff.submit('/login', '/login', { userName: 'desk', password: 'correct horse battery' });
    expect((await staff.get(`/drivers/${userId}`)).text).toContain('Signed in on 1 phone(s)');
    // Another driver's sign-in is no part of it.
    await app.api('POST', '/users', { name: 'Ravi', phone: '+919800000002', pin: '8642' });
    const neighbour = new WebClient(app.baseUrl);
    await neighbour.get(page);
    expect((await neighbour.post(`${page}/sign-in`, { phone: '+919800000002', pin: '8642' })).status).toBe(303);
    expect((await staff.post(`/drivers/${userId}/sign-out-everywhere`)).status).toBe(303);
    expect(await signedIn(phones[0]!)).toBe(false);
    expect(await signedIn(neighbour)).toBe(true);
    expect((await staff.get(`/drivers/${userId}`)).text).toContain('Signed in on 0 phone(s)');
    expect(app.app.services.staff.audit.list({}, 1)[0]).toMatchObject({ action: 'driver.sign_out_everywhere', objectId: String(userId) });

    expect(await signIn(phones[1]!, '1357')).toBe(303);
    expect((await app.api('PATCH', `/users/${userId}`, { pin: null })).status).toBe(200);
    expect(await signedIn(phones[1]!)).toBe(false);
    expect(await signIn(phones[1]!, '1357')).toBe(401);
  });

  test('sign-in lasts on the phone: a long-lived HttpOnly driver cookie apart from the staff one', async () => {
    const { phone, page } = await site();
    await phone.get(page);
    const signedIn = await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe(page);
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith('cy_driver='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(Number(/Max-Age=(\d+)/i.exec(cookie)![1])).toBeGreaterThan(90 * 24 * 3600);
    const after = await phone.get(page);
    expect(after.text).toContain('Signed in as Asha &lt;b&gt;K&lt;/b&gt;');
    expect(after.text).toContain('Up to my balance (₹500.00)');
    // The driver cookie is no staff sign-in.
    expect((await phone.get('/chargers')).status).toBe(303);
  });

  test('changing or removing the PIN ends the sign-ins made with the old one; other changes keep them (CONTRACT /users)', async () => {
    const { phone, page, userId } = await site();
    const signedIn = async (client: WebClient) => (await client.get(page)).text.includes('Signed in as');
    await phone.get(page);
    await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    expect(await signedIn(phone)).toBe(true);
    expect((await app.api('PATCH', `/users/${userId}`, { name: 'Asha K' })).status).toBe(200);
    expect(await signedIn(phone)).toBe(true);

    expect((await app.api('PATCH', `/users/${userId}`, { pin: '97531' })).status).toBe(200);
    expect(await signedIn(phone)).toBe(false);
    expect((await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN })).status).toBe(401);
    expect(await signedIn(phone)).toBe(false);
    await phone.post(`${page}/sign-in`, { phone: PHONE, pin: '97531' });
    expect(await signedIn(phone)).toBe(true);

    expect((await app.api('PATCH', `/users/${userId}`, { pin: null })).status).toBe(200);
    expect(await signedIn(phone)).toBe(false);
  });

  test('start with an amount in major units: 303 to the live page, the hold first, then charging, stop and receipt', async () => {
    const { phone, page, charger, userId } = await site();
    await phone.get(page);
    await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    const form = await phone.get(page);
    const started = await phone.post(`${page}/start`, { formKey: formKeyOf(form.text), otherAmount: '123.45' });
    expect(started.status).toBe(303);
    expect(started.location).toMatch(/^\/charges\/\d+$/);
    expect(await available(userId)).toBe(50000 - 12345);
    const call = await charger.waitForCall('RemoteStartTransaction');
    expect(call.payload).toEqual({ connectorId: 1, idTag: expect.stringMatching(/^#Q[0-9A-Z]{18}$/) });
    await eventually(async () => (await phone.get(started.location!)).text.includes('Plug in your car now'));

    const session = await V16_SCRIPT.start(charger, { connectorId: 1, idTag: call.payload.idTag, meterStartWh: 0 });
    await V16_SCRIPT.meter(charger, { connectorId: 1, transactionId: session.transactionId }, 1500);
    const live = await phone.get(`${started.location!}/live`);
    expect(live.text).toContain('data-status="charging"');
    expect(live.text).toContain("1.5 kWh");
    // 1.5 kWh at 20.00 plus the 5.00 session fee.
    expect(live.text).toMatch(/data-testid="cost">₹35.00</);
    expect(live.text).toMatch(/data-testid="left">₹88.45</);

    const stopped = await phone.post(`${started.location!}/stop`);
    expect(stopped.status).toBe(303);
    expect(stopped.location).toBe(`${started.location!}?stop=sent`);
    expect((await charger.waitForCall('RemoteStopTransaction')).payload).toEqual({ transactionId: Number(session.transactionId) });
    await V16_SCRIPT.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 2000, reason: 'Remote' });
    const receipt = await phone.get(started.location!);
    expect(receipt.text).toContain('data-testid="receipt"');
    // 2 kWh at 20.00 plus the 5.00 session fee = 45.00; 78.45 of the hold went back.
    expect(receipt.text).toMatch(/data-testid="receipt-cost">₹45.00</);
    expect(receipt.text).toMatch(/data-testid="receipt-released">₹78.45</);
    expect(receipt.text).not.toContain('hx-trigger');
    const user = await app.api('GET', `/users/${userId}`);
    expect([user.body.balance.amount, user.body.available.amount]).toEqual([45500, 45500]);
  });

  test("a charge page is only its driver's: another phone gets 404; signing out ends the phone's sign-in", async () => {
    const { phone, page } = await site();
    await phone.get(page);
    await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    const started = await phone.post(`${page}/start`, { formKey: formKeyOf((await phone.get(page)).text), amount: '100.00' });
    expect(started.status).toBe(303);
    const stranger = new WebClient(app.baseUrl);
    expect((await stranger.get(started.location!)).status).toBe(404);
    expect((await stranger.get(`${started.location!}/live`)).status).toBe(404);
    expect((await phone.get(started.location!)).status).toBe(200);
    const signedOut = await phone.post('/q/sign-out', { back: page });
    expect([signedOut.status, signedOut.location]).toEqual([303, page]);
    expect(phone.cookie('cy_driver')).toBeUndefined();
    expect((await phone.get(started.location!)).status).toBe(404);
  });

  test('reloading and pressing Start again with the rendered form key starts once and holds once', async () => {
    const { phone, page, charger, userId } = await site();
    await phone.get(page);
    await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    const formKey = formKeyOf((await phone.get(page)).text);
    const [first, second] = await Promise.all([phone.post(`${page}/start`, { formKey, amount: '100.00' }), phone.post(`${page}/start`, { formKey, amount: '100.00' })]);
    const third = await phone.post(`${page}/start`, { formKey, amount: '100.00' });
    expect(new Set([first.location, second.location, third.location]).size).toBe(1);
    await charger.waitForCall('RemoteStartTransaction');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toHaveLength(1);
    expect(await available(userId)).toBe(40000);
  });

  test('a start without the CSRF token is 403 and holds nothing; refusals are shown on the page', async () => {
    const { phone, page, userId } = await site();
    await phone.get(page);
    await phone.post(`${page}/sign-in`, { phone: PHONE, pin: PIN });
    const formKey = formKeyOf((await phone.get(page)).text);
    expect((await phone.post(`${page}/start`, { formKey, amount: 'all' }, { csrf: null })).status).toBe(403);
    expect(await available(userId)).toBe(50000);
    await app.api('PATCH', '/settings', { minimumBalance: 50000 });
    const low = await phone.get(page);
    expect(low.text).toContain('Your balance is too low to start. Top up at the desk.');
    const refused = await phone.post(`${page}/start`, { formKey, amount: 'all' });
    expect(refused.status).toBe(409);
    expect(await available(userId)).toBe(50000);
  });

  test.each([
    ['pa', 'ਇੱਥੇ ਚਾਰਜ ਕਰੋ', 'ਪ੍ਰਤੀ kWh', 'ਚਾਰਜ ਕਰਨ ਲਈ ਸਾਈਨ ਇਨ ਕਰੋ'],
    ['hi', 'यहाँ चार्ज करें', 'प्रति kWh', 'चार्ज करने के लिए साइन इन करें'],
  ])('with the site language %s the connector page is in that language, not English', async (language, title, perKwh, signIn) => {
    const { phone, page } = await site();
    expect((await app.api('PATCH', '/settings', { language })).status).toBe(200);
    const html = (await phone.get(page)).text;
    expect(html).toContain(`<html lang="${language}"`);
    expect(html).toContain(title);
    expect(html).toContain(perKwh);
    expect(html).toContain(signIn);
    expect(html).not.toContain('Sign in to charge');
    expect(html).not.toContain('per kWh');
  });

  test('QR codes encode {publicBaseUrl}/q/{chargePointId}/{connectorId}: API SVG, label sheets and SVG download', async () => {
    const { phone } = await site('Bay#1');
    await app.api('PATCH', '/settings', { publicBaseUrl: 'https://charge.example.in/' });
    const expectedUrl = 'https://charge.example.in/q/Bay%231/1';
    expect(connectorPageUrl('https://charge.example.in', 'Bay#1', 1)).toBe(expectedUrl);
    const api = await fetch(`${app.baseUrl}/api/v1/chargers/${encodeURIComponent('Bay#1')}/connectors/1/qr`, { headers: { Authorization: 'Bearer test-admin-token-0123456789abcdef' } });
    expect(api.status).toBe(200);
    expect(api.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await api.text()).toBe(await qrSvg(expectedUrl));
    expect((await app.api('GET', '/chargers/NOPE/connectors/1/qr')).status).toBe(404);

    await app.app.services.staff.users.create({ userName: 'viewer1', role: 'viewer', password: 'correct horse battery' }, testActor('test'));
    const staff = new WebClient(app.baseUrl);
    await staff.get('/login');
    expect((await staff.post('/login', { userName: 'viewer1', password: 'correct horse battery' })).status).toBe(303);
    const sheet = await staff.get('/qr-labels');
    expect(sheet.status).toBe(200);
    expect(sheet.text).toContain('charge.example.in/q/Bay%231/1');
    expect(sheet.text).toContain('<svg');
    const one = await staff.get(`/chargers/${encodeURIComponent('Bay#1')}/connectors/1/qr-label`);
    expect(one.text).toContain('charge.example.in/q/Bay%231/1');
    const download = await staff.get(`/chargers/${encodeURIComponent('Bay#1')}/connectors/1/qr.svg`);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    expect(download.text).toBe(await qrSvg(expectedUrl));
    expect((await staff.get(`/chargers/${encodeURIComponent('Bay#1')}`)).text).toContain('/qr-labels');
    // The label sheets are staff pages.
    expect((await phone.get('/qr-labels')).status).toBe(303);
  });
});
