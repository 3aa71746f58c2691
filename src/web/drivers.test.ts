import { MAX_UNKNOWN_CARDS } from '../drivers';
import { startTestApp, WebClient, type TestApp, testActor } from '../testing';
import { translator, type UiLanguage } from './i18n';

const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'cashier' | 'viewer', language: UiLanguage = 'en'): Promise<WebClient> {
  const userName = `${role}-drv-${language}`;
  if (!app.app.services.staff.users.byUserName(userName)) await app.app.services.staff.users.create({ userName, role, password: PASSWORD, language }, testActor('test'));
  const client = new WebClient(app.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  await client.get('/');
  return client;
}

describe('drivers and cards pages', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('a cashier adds a driver and a card, blocks and unblocks it; names are escaped', async () => {
    const cashier = await signedIn(app, 'cashier');
    const created = await cashier.post('/drivers', { name: 'Ravi <i>Singh</i>', phone: '+919812345678' });
    expect(created.status).toBe(303);
    const driverPath = created.location!;
    const page = await cashier.get(driverPath);
    expect(page.text).toContain('Ravi &lt;i&gt;Singh&lt;/i&gt;');
    expect((await cashier.post(`${driverPath}/cards`, { uid: 'ABCD1234', kind: 'prepaid' })).status).toBe(303);
    expect((await cashier.post('/cards/ABCD1234/status', { status: 'blocked' })).status).toBe(303);
    expect((await app.api('GET', '/cards/ABCD1234')).body.status).toBe('blocked');
    expect((await cashier.post('/cards/ABCD1234/status', { status: 'active' })).status).toBe(303);
    expect((await app.api('GET', '/cards/ABCD1234')).body.status).toBe('active');
    const list = await cashier.get('/drivers');
    expect(list.text).toContain('Ravi &lt;i&gt;Singh&lt;/i&gt;');
  });

  it('a bad phone number comes back as an inline error', async () => {
    const cashier = await signedIn(app, 'cashier');
    const refused = await cashier.post('/drivers', { name: 'X', phone: 'not a phone' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/id="f-phone"[^>]*aria-invalid="true"/);
  });

  it('an unknown card seen at a charger is attached to a driver', async () => {
    const simulator = await app.acceptedCharger('CP-U3');
    await simulator.call('Authorize', { idTag: 'FEEDFACE' });
    // The unknown tag is remembered in the next write batch, after the answer.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const user = await app.api('POST', '/users', { name: 'Meera', phone: '+919800000001' });
    const cashier = await signedIn(app, 'cashier');
    const list = await cashier.get('/drivers');
    expect(list.text).toContain('FEEDFACE');
    const attached = await cashier.post('/unknown-cards/attach', { uid: 'FEEDFACE', userId: String(user.body.id), kind: 'prepaid' });
    expect(attached.status).toBe(303);
    expect((await app.api('GET', '/cards/FEEDFACE')).body).toMatchObject({ userId: user.body.id, kind: 'prepaid' });
  });

  it('a charger presenting endless made-up cards leaves only the most recently seen on the list', async () => {
    const simulator = await app.acceptedCharger('CP-FLOOD');
    const tag = (i: number) => `MADEUP${String(i).padStart(5, '0')}`;
    const extra = 5;
    for (let i = 0; i < MAX_UNKNOWN_CARDS + extra; i++) {
      expect((await simulator.call('Authorize', { idTag: tag(i) })).idTagInfo.status).toBe('Invalid');
      // Each made-up number is remembered after its answer: wait for it, so "oldest" is well defined.
      if (i === 0 || i === MAX_UNKNOWN_CARDS + extra - 1) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const kept = app.app.services.drivers.unknownCards(MAX_UNKNOWN_CARDS * 2);
    expect(kept).toHaveLength(MAX_UNKNOWN_CARDS);
    const uids = new Set(kept.map((card) => card.uid));
    // The newest are all there; of the oldest, as many went as came in beyond the limit.
    expect(uids.has(tag(MAX_UNKNOWN_CARDS + extra - 1))).toBe(true);
    expect(uids.has(tag(0))).toBe(false);
    // One seen again counts up and lets nothing go.
    const again = kept.at(-1)!;
    await simulator.call('Authorize', { idTag: again.uid });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = app.app.services.drivers.unknownCards(MAX_UNKNOWN_CARDS * 2);
    expect(after).toHaveLength(MAX_UNKNOWN_CARDS);
    expect(after[0]).toMatchObject({ uid: again.uid, timesSeen: again.timesSeen + 1 });
  });

  it('adjustments and refunds need the admin role and a reason; they move money once per form', async () => {
    const user = await app.api('POST', '/users', { name: 'Arjun', phone: '+919800000002' });
    const topup = await app.api('POST', `/users/${user.body.id}/topups`, { amount: 100000, method: 'cash' });
    const cashier = await signedIn(app, 'cashier');
    expect((await cashier.post(`/drivers/${user.body.id}/adjustments`, { amount: '10', reason: 'goodwill' })).status).toBe(403);
    expect((await cashier.post(`/topups/${topup.body.topupId}/refund`, { reason: 'asked for it' })).status).toBe(403);

    const admin = await signedIn(app, 'admin');
    const noReason = await admin.post(`/drivers/${user.body.id}/adjustments`, { amount: '10', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toMatch(/id="f-reason"[^>]*aria-invalid="true"/);
    const page = await admin.get(`/drivers/${user.body.id}`);
    const formKey = /name="formKey" value="(ui-[^"]+)"/.exec(page.text)![1]!;
    await admin.post(`/drivers/${user.body.id}/adjustments`, { amount: '-12.50', reason: 'damaged cable', formKey });
    await admin.post(`/drivers/${user.body.id}/adjustments`, { amount: '-12.50', reason: 'damaged cable', formKey });
    expect((await app.api('GET', `/users/${user.body.id}`)).body.balance.amount).toBe(100000 - 1250);
    expect((await admin.post(`/topups/${topup.body.topupId}/refund`, { amount: '100', reason: 'asked for it', formKey: `${formKey}-r` })).status).toBe(303);
    expect((await app.api('GET', `/users/${user.body.id}`)).body.balance.amount).toBe(100000 - 1250 - 10000);
    // On the record once each, in the write that moved the money (the replayed form adds nothing).
    const audit = app.app.services.staff.audit.list({ action: 'ledger.' }, 10).concat(app.app.services.staff.audit.list({ action: 'topup.refund' }, 10));
    expect(audit.map((row) => [row.action, row.objectType, row.objectId])).toEqual([
      ['ledger.adjust', 'account', String(app.app.services.drivers.requireUser(user.body.id).accountId)],
      ['topup.refund', 'topup', String(topup.body.topupId)],
    ]);
  });

  it('a refusal of the drivers domain is said in the page language, beside its field; the API keeps its English message and code', async () => {
    const pa = translator('pa');
    await app.api('POST', '/users', { name: 'Gurpreet Singh', phone: '+91 98140 12345' });
    const api = await app.api('POST', '/users', { name: 'Harjit Kaur', phone: '98140 12345' });
    expect(api.status).toBe(409);
    expect(api.body.error).toEqual({ code: 'phone_taken', message: 'Another driver has this phone number' });

    const cashier = await signedIn(app, 'cashier', 'pa');
    const taken = await cashier.post('/drivers', { name: 'Harjit Kaur', phone: '98140 12345' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('<html lang="pa"');
    expect(taken.text).toMatch(/id="f-phone"[^>]*aria-invalid="true"/);
    expect(taken.text).toContain(`<p class="error" id="e-phone">${pa('domainErrors.phone_taken')}</p>`);
    expect(taken.text).not.toContain('Another driver has this phone number');
    // A field rule of the domain (an email that is none) is the field's own message, in Punjabi too.
    const badEmail = await cashier.post('/drivers', { name: 'Harjit Kaur', phone: '98140 99999', email: 'not an email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.text).toContain(`<p class="error" id="e-email">${pa('validation.email')}</p>`);

    const harjit = await app.api('POST', '/users', { name: 'Harjit Kaur', phone: '98140 99999' });
    await app.api('POST', '/cards', { uid: 'ABCD1234', kind: 'prepaid' });
    const cardTaken = await cashier.post(`/drivers/${harjit.body.id}/cards`, { uid: 'abcd1234', kind: 'prepaid' });
    expect(cardTaken.status).toBe(409);
    expect(cardTaken.text).toContain(`<p class="error" id="e-uid">${pa('domainErrors.card_exists')}</p>`);

    // In English the page says the catalogue's English words.
    const english = await signedIn(app, 'cashier', 'en');
    expect((await english.post('/drivers', { name: 'Harjit Kaur', phone: '98140 12345' })).text).toContain(`<p class="error" id="e-phone">${translator('en')('domainErrors.phone_taken')}</p>`);
  });

  it('a refused refund is flashed in the page language', async () => {
    const user = await app.api('POST', '/users', { name: 'Arjun', phone: '+919800000002' });
    const topup = await app.api('POST', `/users/${user.body.id}/topups`, { amount: 10000, method: 'cash' });
    const admin = await signedIn(app, 'admin', 'hi');
    const refused = await admin.post(`/topups/${topup.body.topupId}/refund`, { amount: '500', reason: 'asked for it', formKey: 'ui-refund-too-much' });
    expect(refused.status).toBe(303);
    const page = await admin.get(refused.location!);
    const hi = translator('hi');
    expect(page.text).toContain(hi('drivers.refundFailed', { message: hi('domainErrors.refund_exceeds_topup') }));
    expect((await app.api('GET', `/users/${user.body.id}`)).body.balance.amount).toBe(10000);
  });
});
