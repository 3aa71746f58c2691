import { startTestApp, WebClient, type TestApp } from '../testing';

const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'cashier' | 'viewer'): Promise<WebClient> {
  const userName = `${role}-desk`;
  await app.app.services.staff.users.create({ userName, role, password: PASSWORD });
  const client = new WebClient(app.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  return client;
}

function formKeyOf(html: string): string {
  return /name="formKey" value="([^"]+)"/.exec(html)![1]!;
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

    const first = await cashier.post('/cashier/topups', { uid: 'A1B2C3D4', formKey, method: 'cash', amount: '500.50' });
    const second = await cashier.post('/cashier/topups', { uid: 'A1B2C3D4', formKey, method: 'cash', amount: '500.50' });
    expect(first.status).toBe(303);
    expect(second.location).toBe(first.location);
    const card = await app.api('GET', '/cards/A1B2C3D4');
    expect(card.body.balance).toEqual({ amount: 50050, currency: 'INR' });

    const receipt = await cashier.get(first.location!);
    expect(receipt.text).toContain('data-testid="receipt"');
    expect(receipt.text).toMatch(/data-testid="receipt-no">1</);
    expect(receipt.text).toContain('₹500.50');
    expect(receipt.text).toContain('cashier-desk');
    expect(receipt.text).toMatch(/id="scan-uid"[^>]*autofocus/);
  });

  it('a quick-amount button tops up that amount in minor units', async () => {
    await app.api('POST', '/cards', { uid: '0A0B0C0D', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=0A0B0C0D');
    const done = await cashier.post('/cashier/topups', { uid: '0A0B0C0D', formKey: formKeyOf(panel.text), method: 'card', quick: '200000' });
    expect(done.status).toBe(303);
    expect((await app.api('GET', '/cards/0A0B0C0D')).body.balance.amount).toBe(200000);
  });

  it('money is shown with Indian digit grouping (lakh) for INR', async () => {
    await app.api('POST', '/cards', { uid: '12121212', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=12121212');
    const done = await cashier.post('/cashier/topups', { uid: '12121212', formKey: formKeyOf(panel.text), method: 'transfer', amount: '234567.50' });
    const receipt = await cashier.get(done.location!);
    expect(receipt.text).toContain('₹2,34,567.50');
  });

  it('a card scanned into the amount field is a scan, and a digits-only UID of an unknown card is refused as too large', async () => {
    await app.api('POST', '/cards', { uid: '87654321', kind: 'prepaid' });
    await app.api('POST', '/cards', { uid: 'ABABABAB', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=ABABABAB');
    const rescan = await cashier.post('/cashier/topups', { uid: 'ABABABAB', formKey: formKeyOf(panel.text), method: 'cash', amount: '87654321' });
    expect(rescan.status).toBe(303);
    expect(rescan.location).toBe('/cashier?uid=87654321');
    const unknown = await cashier.post('/cashier/topups', { uid: 'ABABABAB', formKey: formKeyOf(panel.text), method: 'cash', amount: '3735928559' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/id="f-amount"[^>]*aria-invalid="true"/);
    expect((await app.api('GET', '/cards/ABABABAB')).body.balance.amount).toBe(0);
    expect((await app.api('GET', '/cards/87654321')).body.balance.amount).toBe(0);
  });

  it('a bad amount comes back as an inline field error and moves no money', async () => {
    await app.api('POST', '/cards', { uid: '11223344', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    const panel = await cashier.get('/cashier?uid=11223344');
    const refused = await cashier.post('/cashier/topups', { uid: '11223344', formKey: formKeyOf(panel.text), method: 'cash', amount: '-5' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/id="f-amount"[^>]*aria-invalid="true"/);
    expect((await app.api('GET', '/cards/11223344')).body.balance.amount).toBe(0);
  });

  it('an unknown card becomes a prepaid card of a new driver and is topped up in one step', async () => {
    const cashier = await signedIn(app, 'cashier');
    const page = await cashier.get('/cashier?uid=DEADBEEF');
    expect(page.text).toContain('is not registered');
    const done = await cashier.post('/cashier/new-card', { uid: 'DEADBEEF', formKey: formKeyOf(page.text), driverName: 'Asha <Kaur>', driverPhone: '+919876543210', method: 'cash', amount: '1000' });
    expect(done.status).toBe(303);
    const card = await app.api('GET', '/cards/DEADBEEF');
    expect(card.body).toMatchObject({ kind: 'prepaid', balance: { amount: 100000 } });
    const again = await cashier.get('/cashier?uid=DEADBEEF');
    expect(again.text).toContain('Asha &lt;Kaur&gt;');
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
    expect((await viewer.post('/cashier/topups', { uid: 'AABBCCDD', method: 'cash', amount: '10' })).status).toBe(403);
  });

  it('a shift opens, totals the top-ups per method and closes with counted cash into a Z-report', async () => {
    await app.api('POST', '/cards', { uid: '99887766', kind: 'prepaid' });
    const cashier = await signedIn(app, 'cashier');
    await cashier.get('/cashier');
    expect((await cashier.post('/cashier/shift/open', { openingFloat: '100' })).status).toBe(303);
    const panel = await cashier.get('/cashier?uid=99887766');
    await cashier.post('/cashier/topups', { uid: '99887766', formKey: formKeyOf(panel.text), method: 'cash', amount: '250' });
    const open = await cashier.get('/cashier');
    expect(open.text).toContain('₹250.00');
    const closed = await cashier.post('/cashier/shift/close', { countedCash: '350' });
    expect(closed.status).toBe(303);
    const report = await cashier.get(closed.location!);
    expect(report.text).toContain('Z-report');
    expect(report.text).toContain('₹350.00');
  });
});
