import { startTestApp, WebClient, type TestApp } from '../testing';

/**
 * The walk-in pages over HTTP (CONTRACT "Web pages": a driver with no account registers on the QR
 * page and is signed in at once; one short of balance asks to pay): what each wrong input gets,
 * what a taken number tells, the per-address limit, and whose payment page is whose.
 */
const PAGE = '/q/WALK2/1';

let app: TestApp;
afterEach(async () => {
  expect(app.app.services.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
  await app.close();
});

async function site(): Promise<WebClient> {
  app = await startTestApp();
  await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 });
  const charger = await app.acceptedCharger('WALK2');
  await charger.status(1, 'Available');
  const phone = new WebClient(app.baseUrl);
  await phone.get(PAGE);
  return phone;
}

function register(phone: WebClient, form: Record<string, string>) {
  return phone.post(`${PAGE}/register`, form);
}

describe('walk-in drivers on the QR pages', () => {
  test('"New here?" registers with the rules of POST /users and signs in at once; the name is shown as text', async () => {
    const phone = await site();
    const connector = await phone.get(PAGE);
    expect(connector.text).toContain(`href="${PAGE}/register"`);
    await phone.get(`${PAGE}/register`);
    const done = await register(phone, { name: 'Ravi <script>x</script>', phone: '+91 98000 11111', pin: '1234' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(PAGE);
    const signedIn = await phone.get(PAGE);
    expect(signedIn.text).toContain('Signed in as Ravi &lt;script&gt;x&lt;/script&gt;');
    // No balance yet: the page offers to pay at the desk or by UPI.
    expect(signedIn.text).toContain(`action="${PAGE}/pay"`);
    const users = await app.api('GET', '/users');
    expect(users.body.items).toEqual([expect.objectContaining({ name: 'Ravi <script>x</script>', phone: '+919800011111' })]);
  });

  test('each refused field is named beside it, the typed values kept; nothing is registered', async () => {
    const phone = await site();
    for (const [form, field, message] of [
      [{ name: ' ', phone: '+919800011112', pin: '1234' }, 'name', 'Enter your name.'],
      [{ name: 'Ravi', phone: '12', pin: '1234' }, 'phone', 'Enter a phone number'],
      [{ name: 'Ravi', phone: '+919800011112', pin: '12' }, 'pin', 'The PIN must be 4 to 8 digits.'],
      [{ name: 'Ravi', phone: '+919800011112', pin: '' }, 'pin', 'The PIN must be 4 to 8 digits.'],
    ] as const) {
      await phone.get(`${PAGE}/register`);
      const refused = await register(phone, form);
      expect([field, refused.status]).toEqual([field, 400]);
      expect(refused.text).toMatch(new RegExp(`id="e-${field}">${message}`));
      if (form.name === 'Ravi') expect(refused.text).toContain('value="Ravi"');
    }
    expect((await app.api('GET', '/users')).body.items).toEqual([]);
  });

  test('a number registered already is answered as the sign-in answers it: its PIN signs in, another is a wrong PIN in the same lockout', async () => {
    const phone = await site();
    await app.api('POST', '/users', { name: 'Owner', phone: '+919800022222', pin: '5555' });
    await phone.get(`${PAGE}/register`);
    const wrong = await register(phone, { name: 'Someone', phone: '+919800022222', pin: '1111' });
    expect(wrong.status).toBe(409);
    expect(wrong.text).toContain('registered already. Sign in with its PIN: 4 attempts left');
    // The same lockout as the sign-in: the wrong PIN above counted there.
    await phone.get(PAGE);
    const signInWrong = await phone.post(`${PAGE}/sign-in`, { phone: '+919800022222', pin: '2222' });
    expect(signInWrong.text).toContain('3 attempts left');
    await phone.get(`${PAGE}/register`);
    const right = await register(phone, { name: 'Owner again', phone: '+919800022222', pin: '5555' });
    expect(right.status).toBe(303);
    expect((await phone.get(PAGE)).text).toContain('Signed in as Owner');
    expect((await app.api('GET', '/users')).body.items).toHaveLength(1);
  });

  test('one address registers at most 10 times an hour', async () => {
    const phone = await site();
    for (let i = 0; i < 10; i++) {
      await phone.get(`${PAGE}/register`);
      expect((await register(phone, { name: `Driver ${i}`, phone: `+91980003000${i}`, pin: '1234' })).status).toBe(303);
    }
    await phone.get(`${PAGE}/register`);
    const limited = await register(phone, { name: 'Driver 11', phone: '+919800040000', pin: '1234' });
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Too many registrations');
    expect((await app.api('GET', '/users')).body.items).toHaveLength(10);
  });

  test('a payment page is its driver’s alone; a bad amount or an old form is named on the connector page', async () => {
    const phone = await site();
    await phone.get(`${PAGE}/register`);
    await register(phone, { name: 'Payer', phone: '+919800050000', pin: '1234' });
    const connector = await phone.get(PAGE);
    const formKey = /name="formKey" value="(pay-[^"]+)"/.exec(connector.text)![1]!;

    expect((await phone.post(`${PAGE}/pay`, { formKey, otherAmount: 'abc' })).location).toBe(`${PAGE}?pay=invalid_amount`);
    expect((await phone.get(`${PAGE}?pay=invalid_amount`)).text).toContain('Enter an amount above zero');
    expect((await phone.post(`${PAGE}/pay`, { formKey: 'made-up', amount: '100' })).location).toBe(`${PAGE}?pay=expired_form`);
    expect((await phone.post(`${PAGE}/pay`, { formKey, otherAmount: '100000' })).location).toBe(`${PAGE}?pay=amount_too_large`);

    const asked = await phone.post(`${PAGE}/pay`, { formKey, otherAmount: '150.50' });
    expect(asked.location).toMatch(new RegExp(`^${PAGE}/payments/\\d+$`));
    const mine = await phone.get(asked.location!);
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('₹150.50');
    // No UPI address set: no UPI link, the desk only.
    expect(mine.text).not.toContain('upi://');
    // The same form again (a double tap) finds the same request.
    expect((await phone.post(`${PAGE}/pay`, { formKey, otherAmount: '150.50' })).location).toBe(asked.location);
    // The connector page now points at it instead of offering a second one.
    expect((await phone.get(PAGE)).text).toContain(`href="${asked.location}"`);

    const stranger = new WebClient(app.baseUrl);
    expect((await stranger.get(asked.location!)).status).toBe(404);
    expect((await stranger.get(`${asked.location}/live`)).status).toBe(404);
    await stranger.get(PAGE);
    expect((await stranger.post(`${asked.location}/cancel`)).status).toBe(404);
    expect(app.app.services.paymentRequests.openQueue()).toHaveLength(1);
    // Under another connector's path the request is not found either.
    expect((await phone.get(asked.location!.replace('/q/WALK2/1/', '/q/WALK2/2/'))).status).toBe(404);
  });
});
