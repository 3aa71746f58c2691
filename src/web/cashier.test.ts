import { startTestApp, WebClient, type TestApp, testActor } from '../testing';
import { translator, type UiLanguage } from './i18n';

const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'cashier' | 'viewer', language: UiLanguage = 'en'): Promise<WebClient> {
  const userName = `${role}-desk`;
  await app.app.services.staff.users.create({ userName, role, password: PASSWORD, language }, testActor('test'));
  const client = new WebClient(app.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  return client;
}

function formKeyOf(html: string): string {
  return /name="formKey" value="([^"]+)"/.exec(html)![1]!;
}

/** An attribute value as the browser reads it (Handlebars escapes & < > " ' ` =). */
function unescapeAttribute(value: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&' };
  return value.replace(/&(#x([0-9a-f]+)|(lt|gt|quot|amp));/gi, (_entity, _body: string, hex: string | undefined, name: string | undefined) => (hex ? String.fromCodePoint(parseInt(hex, 16)) : named[name!.toLowerCase()]!));
}

/** The hidden fields of the confirm step, as the browser would post them back. */
function confirmFields(html: string): Record<string, string> {
  const form = /<form method="post" action="[^"]*confirm"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].filter(([, name]) => name !== '_csrf').map(([, name, value]) => [name!, unescapeAttribute(value!)]));
}

/** Amount and method, then the confirm step posted back: the desk's two steps. */
async function topUp(cashier: WebClient, form: Record<string, string>) {
  const step = await cashier.post('/cashier/topups', form);
  if (step.status !== 200) return step;
  return cashier.post('/cashier/topups/confirm', confirmFields(step.text));
}

describe('cashier screen', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('a scan shows the card panel; a top-up posted twice with the same form key tops up once and shows the receipt with the new balance', async () => {
    await app.api('POST', '/cards', { uid: 'A1B2C3D4', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=a1b2c3d4');
    expect(panel.status).toBe(200);
    expect(panel.text).toContain('data-testid="card-panel"');
    expect(panel.text).toMatch(/id="f-amount"[^>]*autofocus/);
    const formKey = formKeyOf(panel.text);

    // The first step moves nothing: it shows what will happen.
    const step = await cashier.post('/cashier/topups', { target: 'card:A1B2C3D4', formKey, method: 'cash', amount: '500.50' });
    expect(step.status).toBe(200);
    expect(step.text).toContain('data-testid="confirm"');
    expect(step.text).toMatch(/data-testid="confirm-summary">₹500.50 Cash → A1B2C3D4</);
    expect((await app.api('GET', '/cards/A1B2C3D4')).body.balance.amount).toBe(0);
    const first = await cashier.post('/cashier/topups/confirm', confirmFields(step.text));
    const second = await cashier.post('/cashier/topups/confirm', confirmFields(step.text));
    expect(first.status).toBe(303);
    expect(first.location).toMatch(/^\/cashier\/receipts\/\d+\?print=1$/);
    expect(second.location).toBe(first.location);
    const card = await app.api('GET', '/cards/A1B2C3D4');
    expect(card.body.balance).toEqual({ amount: 50050, currency: 'INR' });

    const receipt = await cashier.get(first.location!);
    expect(receipt.text).toContain('data-testid="receipt"');
    expect(receipt.text).toMatch(/data-testid="receipt-no">1</);
    expect(receipt.text).toContain('₹500.50');
    expect(receipt.text).toMatch(/data-testid="receipt-cashier">cashier-desk</);
    expect(receipt.text).toContain('data-print-on-load');
    expect(receipt.text).toMatch(/id="scan-uid"[^>]*autofocus/);
  });

  it('a form key belongs to the cashier who sent it: another cashier reusing it gets a top-up of their own', async () => {
    await app.api('POST', '/cards', { uid: 'B1B2B3B4', kind: 'prepaid' });
    const first = await signedIn(app, 'cashier');
    const second = await signedIn(app, 'admin');
    const formKey = formKeyOf((await first.get('/cashier?uid=B1B2B3B4')).text);
    await second.get('/cashier?uid=B1B2B3B4');
    const [mine, theirs] = await Promise.all([
      topUp(first, { uid: 'B1B2B3B4', formKey, method: 'cash', amount: '100' }),
      topUp(second, { uid: 'B1B2B3B4', formKey, method: 'cash', amount: '100' }),
    ]);
    expect([mine.status, theirs.status]).toEqual([303, 303]);
    expect(theirs.location).not.toBe(mine.location);
    expect((await app.api('GET', '/cards/B1B2B3B4')).body.balance.amount).toBe(20000);
  });

  it('a quick-amount button tops up that amount in minor units', async () => {
    await app.api('POST', '/cards', { uid: '0A0B0C0D', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=0A0B0C0D');
    const done = await topUp(cashier, { target: 'card:0A0B0C0D', formKey: formKeyOf(panel.text), method: 'card', quick: '200000' });
    expect(done.status).toBe(303);
    expect((await app.api('GET', '/cards/0A0B0C0D')).body.balance.amount).toBe(200000);
  });

  it('money is shown with Indian digit grouping (lakh) for INR', async () => {
    await app.api('POST', '/cards', { uid: '12121212', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=12121212');
    const done = await topUp(cashier, { target: 'card:12121212', formKey: formKeyOf(panel.text), method: 'transfer', amount: '2,34,567.50' });
    const receipt = await cashier.get(done.location!);
    expect(receipt.text).toContain('₹2,34,567.50');
  });

  it('a card scanned into the amount field is a scan, and a digits-only UID of an unknown card is refused as too large', async () => {
    await app.api('POST', '/cards', { uid: '87654321', kind: 'prepaid' });
    await app.api('POST', '/cards', { uid: 'ABABABAB', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=ABABABAB');
    const rescan = await cashier.post('/cashier/topups', { target: 'card:ABABABAB', formKey: formKeyOf(panel.text), method: 'cash', amount: '87654321' });
    expect(rescan.status).toBe(303);
    expect(rescan.location).toBe('/cashier?q=87654321');
    const unknown = await cashier.post('/cashier/topups', { target: 'card:ABABABAB', formKey: formKeyOf(panel.text), method: 'cash', amount: '3735928559' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/id="f-amount"[^>]*aria-invalid="true"/);
    expect((await app.api('GET', '/cards/ABABABAB')).body.balance.amount).toBe(0);
    expect((await app.api('GET', '/cards/87654321')).body.balance.amount).toBe(0);
  });

  it('a bad amount comes back as an inline field error and moves no money', async () => {
    await app.api('POST', '/cards', { uid: '11223344', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=11223344');
    const refused = await cashier.post('/cashier/topups', { target: 'card:11223344', formKey: formKeyOf(panel.text), method: 'cash', amount: '-5' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/id="f-amount"[^>]*aria-invalid="true"/);
    // The amount keeps the focus with its text selected; the search field does not take it.
    expect(refused.text).toMatch(/id="f-amount"[^>]*autofocus data-select/);
    expect(refused.text).not.toMatch(/id="scan-uid"[^>]*autofocus/);
    expect((await app.api('GET', '/cards/11223344')).body.balance.amount).toBe(0);
  });

  it('an unknown card is registered only on request and after the confirm step, for a new driver', async () => {
    const cashier = await signedIn(app, 'cashier');
    const page = await cashier.get('/cashier?uid=DEADBEEF');
    expect(page.text).toContain('is not registered');
    // No form that could create a card: only the explicit button that asks for one.
    expect(page.text).not.toContain('action="/cashier/new-card"');
    expect(page.text).toContain('data-testid="register-card"');
    const form = await cashier.get('/cashier?q=DEADBEEF&register=1');
    expect(form.text).toContain('action="/cashier/new-card"');
    const step = await cashier.post('/cashier/new-card', { uid: 'DEADBEEF', formKey: formKeyOf(form.text), driverName: 'Asha <Kaur>', driverPhone: '98765 43210', method: 'cash', amount: '1,000' });
    expect(step.status).toBe(200);
    expect(step.text).toContain('registered for the new driver Asha &lt;Kaur&gt;');
    expect((await app.api('GET', '/cards/DEADBEEF')).status).toBe(404);
    const done = await cashier.post('/cashier/new-card/confirm', confirmFields(step.text));
    expect(done.status).toBe(303);
    const card = await app.api('GET', '/cards/DEADBEEF');
    expect(card.body).toMatchObject({ kind: 'prepaid', balance: { amount: 100000 } });
    expect((await app.api('GET', '/users?phone=%2B919876543210')).body.items[0].name).toBe('Asha <Kaur>');
    const again = await cashier.get('/cashier?uid=DEADBEEF');
    expect(again.text).toContain('Asha &lt;Kaur&gt;');
  });

  it('a short number typed into the search is no card and is never offered for registration', async () => {
    const cashier = await signedIn(app, 'cashier');
    const page = await cashier.get('/cashier?q=500');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Nothing found for “500”');
    expect(page.text).not.toContain('register-card');
  });

  it('a driver is found by phone (any way of writing it) or by name, and topped up on the driver account', async () => {
    const gurpreet = await app.api('POST', '/users', { name: 'Gurpreet Singh', phone: '+91 98140 12345' });
    await app.api('POST', '/users', { name: 'Gurpreet Kaur', phone: '+91 98140 12346' });
    const cashier = await signedIn(app, 'cashier');
    const byPhone = await cashier.get('/cashier?q=098140-12345');
    expect(byPhone.text).toMatch(/<h2 id="h-card">Gurpreet Singh</);
    const byName = await cashier.get('/cashier?q=gurpreet');
    expect(byName.text).toContain('data-testid="matches"');
    expect(byName.text).toContain(`href="/cashier?driver=${gurpreet.body.id}"`);
    const panel = await cashier.get(`/cashier?driver=${gurpreet.body.id}`);
    const done = await topUp(cashier, { target: `driver:${gurpreet.body.id}`, formKey: formKeyOf(panel.text), method: 'cash', amount: '500' });
    expect(done.status).toBe(303);
    expect((await app.api('GET', `/users/${gurpreet.body.id}`)).body.balance.amount).toBe(50000);
    const receipt = await cashier.get(done.location!);
    expect(receipt.text).toMatch(/data-testid="receipt-driver">Gurpreet Singh</);
  });

  it('above the site-set amount the confirm step warns, softly: the top-up still goes through', async () => {
    await app.api('PATCH', '/settings', { largeTopupWarning: { amount: 200000, currency: 'INR' } });
    await app.api('POST', '/cards', { uid: 'B0B0B0B0', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?q=B0B0B0B0');
    const small = await cashier.post('/cashier/topups', { target: 'card:B0B0B0B0', formKey: formKeyOf(panel.text), method: 'cash', amount: '2000' });
    expect(small.text).not.toContain('large-warning');
    const large = await cashier.post('/cashier/topups', { target: 'card:B0B0B0B0', formKey: formKeyOf(panel.text), method: 'cash', amount: '2000.01' });
    expect(large.text).toContain('This is more than ₹2,000.00');
    expect((await cashier.post('/cashier/topups/confirm', confirmFields(large.text))).status).toBe(303);
    expect((await app.api('GET', '/cards/B0B0B0B0')).body.balance.amount).toBe(200001);
  });

  it("the receipt names the site and its address, the driver, the method, the new balance as it was then and the cashier's name", async () => {
    await app.api('PATCH', '/settings', { siteName: 'Gurdwara Road EV', siteAddress: 'Plot 7, GT Road\nJalandhar 144001' });
    const user = await app.api('POST', '/users', { name: 'Harjit Kaur', phone: '98765 43210' });
    await app.api('POST', '/cards', { uid: 'C0FFEE00', kind: 'prepaid', userId: user.body.id });
    await app.app.services.staff.users.create({ userName: 'desk2', displayName: 'Simran (desk)', role: 'cashier', password: PASSWORD }, testActor('test'));
    const cashier = new WebClient(app.baseUrl);
    await cashier.submit('/login', '/login', { userName: 'desk2', password: PASSWORD });
    const panel = await cashier.get('/cashier?q=C0FFEE00');
    const done = await topUp(cashier, { target: 'card:C0FFEE00', formKey: formKeyOf(panel.text), method: 'card', amount: '750' });
    // A later top-up does not change what the first receipt says the balance was.
    await app.api('POST', `/users/${user.body.id}/topups`, { amount: 10000, method: 'cash' });
    const receipt = (await cashier.get(done.location!.replace('?print=1', ''))).text;
    expect(receipt).toContain('Gurdwara Road EV');
    expect(receipt).toContain('<p>Jalandhar 144001</p>');
    expect(receipt).toMatch(/data-testid="receipt-driver">Harjit Kaur</);
    expect(receipt).toContain('+91 98765 43210');
    expect(receipt).toContain('C0FFEE00');
    expect(receipt).toMatch(/data-testid="receipt-amount">₹750.00</);
    expect(receipt).toMatch(/data-testid="new-balance">₹750.00</);
    expect(receipt).toMatch(/data-testid="receipt-cashier">Simran \(desk\)</);
    expect(receipt).not.toContain('data-print-on-load');
    expect(receipt).not.toContain('Other amount');
  });

  it('a personal card shows no top-up form', async () => {
    await app.api('POST', '/cards', { uid: 'CAFEF00D', kind: 'personal' });
    const cashier = await signedIn(app, 'cashier');
    const page = await cashier.get('/cashier?uid=CAFEF00D');
    expect(page.text).toContain('cannot be topped up');
    expect(page.text).not.toContain('action="/cashier/topups"');
  });

  it('a viewer may not use the cashier screen', async () => {
    await app.api('POST', '/cards', { uid: 'AABBCCDD', kind: 'prepaid' });
    const viewer = await signedIn(app, 'viewer');
    expect((await viewer.get('/cashier')).status).toBe(403);
    await viewer.get('/');
    expect((await viewer.post('/cashier/topups', { target: 'card:AABBCCDD', method: 'cash', amount: '10' })).status).toBe(403);
    expect((await viewer.post('/cashier/topups/confirm', { target: 'card:AABBCCDD', method: 'cash', amountMinor: '1000', formKey: 'ui-x' })).status).toBe(403);
  });

  it('a shift opens, totals the top-ups per method and closes with counted cash into a Z-report', async () => {
    await app.api('POST', '/cards', { uid: '99887766', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    await cashier.get('/cashier');
    expect((await cashier.post('/cashier/shift/open', { openingFloat: '100' })).status).toBe(303);
    const panel = await cashier.get('/cashier?uid=99887766');
    await topUp(cashier, { target: 'card:99887766', formKey: formKeyOf(panel.text), method: 'cash', amount: '250' });
    const open = await cashier.get('/cashier');
    expect(open.text).toContain('₹250.00');
    const closed = await cashier.post('/cashier/shift/close', { countedCash: '350' });
    expect(closed.status).toBe(303);
    const report = await cashier.get(closed.location!);
    expect(report.text).toContain('Z-report');
    expect(report.text).toContain('₹350.00');
  });

  it('a refused top-up and a refused shift are said in the page language; the API keeps the English', async () => {
    const pa = translator('pa');
    await app.api('POST', '/cards', { uid: 'CAFEF00D', kind: 'personal' });
    const cashier = await signedIn(app, 'cashier', 'pa');
    await cashier.get('/cashier');
    // The screen offers no top-up for a personal card; a confirm posted for one anyway (an old tab,
    // a hand-made form) is refused by the till.
    const step = { target: 'card:CAFEF00D', method: 'cash', amountMinor: '50000', formKey: 'ui-00000000-0000-4000-8000-000000000001' };
    const refused = await cashier.post('/cashier/topups/confirm', step);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('<html lang="pa"');
    expect(refused.text).toContain(`<p class="error" role="alert">${pa('cashier.failed', { message: pa('domainErrors.card_not_prepaid') })}</p>`);
    expect(refused.text).not.toContain('personal card: it has no balance');
    const api = await app.api('POST', '/cards/CAFEF00D/topups', { amount: 50000, method: 'cash' });
    expect(api.body.error).toEqual({ code: 'card_not_prepaid', message: 'Card CAFEF00D is a personal card: it has no balance' });

    // A refusal that reaches the error page: a second shift while one is open.
    await cashier.get('/cashier');
    expect((await cashier.post('/cashier/shift/open', { openingFloat: '100' })).status).toBe(303);
    const second = await cashier.post('/cashier/shift/open', { openingFloat: '100' });
    expect(second.status).toBe(409);
    expect(second.text).toContain(`<h1>${pa('errors.refused')}</h1>`);
    expect(second.text).toContain(`<p class="error">${pa('domainErrors.shift_open')}</p>`);
    expect(second.text).not.toContain('Close your open shift');
  });
});
