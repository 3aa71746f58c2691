import type { DriverRow } from '../drivers';
import { startTestApp, WebClient, type TestApp, testActor } from '../testing';

/**
 * The staff side of walk-in payments (CONTRACT `/payment-requests`): the cashier screen's queue,
 * confirming and cancelling by form, the requests page with its filter and CSV, and the daily
 * report's top-ups by method. The charger is Available but never plugged in; the QR start after a
 * confirmation is the end-to-end browser test's part.
 */
const PASSWORD = 'correct horse battery';

async function signedIn(app: TestApp, role: 'admin' | 'cashier' | 'viewer', language: 'en' | 'pa' | 'hi' = 'en'): Promise<WebClient> {
  const userName = language === 'en' ? `${role}-pay` : `${role}-${language}`;
  await app.app.services.staff.users.create({ userName, role, password: PASSWORD, language }, testActor('test'));
  const client = new WebClient(app.baseUrl);
  await client.submit('/login', '/login', { userName, password: PASSWORD });
  return client;
}

/** The confirm form's key of one request as rendered on a page. */
function formKeyFor(html: string, requestId: number): string {
  const form = new RegExp(`action="/payment-requests/${requestId}/confirm"[\\s\\S]*?name="formKey" value="([^"]+)"`).exec(html);
  return form![1]!;
}

describe('walk-in payments for staff', () => {
  let app: TestApp;
  let driver: DriverRow;
  beforeEach(async () => {
    app = await startTestApp();
    expect((await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    const charger = await app.acceptedCharger('DESK1');
    await charger.status(1, 'Available');
    const created = await app.api('POST', '/users', { name: '<b>Harpreet</b>', phone: '+919812300001', pin: '2468' });
    expect(created.status).toBe(201);
    driver = app.app.services.drivers.requireUser(created.body.id);
  });
  afterEach(async () => {
    expect(app.app.services.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
    await app.close();
  });

  const ask = (amountMinor: number) => app.app.services.paymentRequests.create({ formKey: `form-${amountMinor}-${Math.random()}`, user: driver, chargerId: 'DESK1', connectorId: 1, amountMinor });

  it('the cashier screen lists open requests with reference, driver (escaped), phone, amount and connector; cash confirmed twice by form tops up once', async () => {
    const request = await ask(25000);
    const cashier = await signedIn(app, 'cashier');
    const screen = await cashier.get('/cashier');
    expect(screen.status).toBe(200);
    expect(screen.text).toContain('sse-connect="/events/payment-queue"');
    expect(screen.text).toContain(`data-payment-row="1" data-request-id="${request.id}"`);
    expect(screen.text).toContain(request.reference);
    expect(screen.text).toContain('&lt;b&gt;Harpreet&lt;/b&gt;');
    expect(screen.text).not.toContain('<b>Harpreet</b>');
    expect(screen.text).toContain('₹250.00');
    expect(screen.text).toContain('+91');
    const formKey = formKeyFor(screen.text, request.id);

    const first = await cashier.post(`/payment-requests/${request.id}/confirm`, { method: 'cash', formKey, back: '/cashier' });
    const second = await cashier.post(`/payment-requests/${request.id}/confirm`, { method: 'cash', formKey, back: '/cashier' });
    expect(first.status).toBe(303);
    expect(first.location).toBe('/cashier');
    expect(second.status).toBe(303);
    const user = await app.api('GET', `/users/${driver.id}`);
    expect(user.body.balance.amount).toBe(25000);
    const after = await cashier.get('/cashier');
    expect(after.text).toContain(`Payment ${request.reference} confirmed`);
    expect(after.text).not.toContain(`data-request-id="${request.id}"`);
    const fragment = await cashier.get('/fragments/payment-queue');
    expect(fragment.text).toContain('No walk-in driver is waiting to pay.');
    const topups = (await app.api('GET', `/topups?accountId=${driver.accountId}`)).body.items;
    expect(topups).toEqual([expect.objectContaining({ method: 'cash', amount: { amount: 25000, currency: 'INR' }, createdBy: 'cashier-pay' })]);
  });

  it('a viewer sees the requests but cannot confirm or cancel; a bad method is refused', async () => {
    const request = await ask(10000);
    const viewer = await signedIn(app, 'viewer');
    const page = await viewer.get('/payment-requests');
    expect(page.status).toBe(200);
    expect(page.text).toContain(request.reference);
    expect(page.text).not.toContain(`/payment-requests/${request.id}/confirm`);
    // A valid CSRF token from the page: the 403s below are the role's.
    expect(viewer.csrfToken).toBeDefined();
    expect((await viewer.post(`/payment-requests/${request.id}/confirm`, { method: 'cash' })).status).toBe(403);
    expect((await viewer.post(`/payment-requests/${request.id}/cancel`, {})).status).toBe(403);
    const cashier = await signedIn(app, 'cashier');
    await cashier.get('/payment-requests');
    expect((await cashier.post(`/payment-requests/${request.id}/confirm`, { method: 'card' })).status).toBe(400);
    expect((await app.api('GET', `/users/${driver.id}`)).body.balance.amount).toBe(0);
  });

  it('cancelled by the cashier, the request leaves the queue; the page filters by status and exports CSV; UPI confirmed late is a top-up only', async () => {
    const cashier = await signedIn(app, 'cashier');
    const first = await ask(10000);
    await cashier.get('/cashier');
    const cancelled = await cashier.post(`/payment-requests/${first.id}/cancel`, { back: '/payment-requests?status=open' });
    expect(cancelled.status).toBe(303);
    expect(cancelled.location).toBe('/payment-requests?status=open');
    const second = await ask(30000);

    const open = await cashier.get('/payment-requests?status=open');
    expect(open.text).toContain(`Payment ${first.reference} was cancelled.`);
    expect(open.text).toContain(`/payment-requests/${second.id}/confirm`);
    expect(open.text).not.toContain(`/payment-requests/${first.id}/`);
    const cancelledPage = await cashier.get('/payment-requests?status=cancelled');
    expect(cancelledPage.text).toContain(first.reference);
    expect(cancelledPage.text).toContain('cancelled by cashier-pay');

    // The cashier had cancelled too soon: the UPI payment arrives after all.
    const late = await cashier.post(`/payment-requests/${first.id}/confirm`, { method: 'upi', formKey: formKeyFor(cancelledPage.text, first.id) });
    expect(late.status).toBe(303);
    expect((await app.api('GET', `/users/${driver.id}`)).body.balance.amount).toBe(10000);
    expect(app.app.services.paymentRequests.get(first.id)).toMatchObject({ status: 'confirmed', method: 'upi', startId: null });

    const csv = await cashier.get('/payment-requests?format=csv');
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('id,reference,createdAt,expiresAt,status,userId,name,phone,chargerId,connectorId,amount,currency,method,confirmedAt,confirmedBy,receiptNo,startId,cancelledAt,cancelledBy');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`${second.id},${second.reference},`);
    expect(lines[1]).toContain(',300.00,INR,');
    expect(lines[2]).toContain(',confirmed,');
    expect(lines[2]).toContain(',100.00,INR,upi,');

    const report = await cashier.get('/reports');
    expect(report.text).toContain('data-testid="topups-by-method"');
    expect(report.text).toMatch(/UPI<\/td><td class="num">1<\/td><td class="num">₹100.00/);
  });

  it('the cashier screen in Punjabi and Hindi names the queue in their scripts', async () => {
    await ask(10000);
    for (const [language, title] of [['pa', 'ਭੁਗਤਾਨ ਦੀ ਉਡੀਕ ਕਰ ਰਹੇ ਡਰਾਈਵਰ (1)'], ['hi', 'भुगतान की प्रतीक्षा में ड्राइवर (1)']] as const) {
      const cashier = await signedIn(app, 'cashier', language);
      const screen = await cashier.get('/cashier');
      expect(screen.text).toContain(title);
    }
  });
});
