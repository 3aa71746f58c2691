import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { openWatchedPage, SCREENS, signInAsNewStaff, startTestApp, V16_SCRIPT, type TestApp } from '../testing';
import { checkLedgerAndCloseAfterEach, useBrowser } from '../testing/browser-fixture';

/**
 * Walk-in drivers end to end (issue 16, CONTRACT "Web pages" and `/payment-requests`), every part
 * real: a first-time driver on a phone-sized browser registers, asks to pay, and waits; a cashier
 * in a second browser context sees the request arrive live and confirms it from the keyboard; the
 * simulated charger gets RemoteStart with the QR start's idTag, charges and stops; the driver's
 * page has moved on by itself and ends on the receipt. The ledger is proven balanced after each.
 */
const CASHIER_PASSWORD = 'desk password 1';
const DESK = { viewport: { width: 1280, height: 800 } };

const browser = useBrowser();
let app: TestApp;
const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});
checkLedgerAndCloseAfterEach(() => app);

async function site(options: { ttlMs?: number } = {}) {
  app = await startTestApp({ app: { qrStart: { commandTimeoutMs: 5000, plugInTimeoutMs: 20_000 }, ...(options.ttlMs ? { paymentRequestTtlMs: options.ttlMs } : {}) } });
  expect((await app.api('PATCH', '/settings', { siteName: 'Highway Bay', upiId: 'highwaybay@okaxis' })).status).toBe(200);
  expect((await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
  const charger = await app.acceptedCharger('WALK-1');
  await app.api('PATCH', '/chargers/WALK-1', { name: 'Bay 1' });
  await charger.status(1, 'Available');
  return charger;
}

/** A page in its own browser context that fails the test on any script error or CSP refusal. */
async function openPage(options: BrowserContextOptions): Promise<{ page: Page; errors: string[] }> {
  const { context, page, errors } = await openWatchedPage(browser(), options);
  contexts.push(context);
  return { page, errors };
}

async function cashierDesk(userName = 'desk'): Promise<{ page: Page; errors: string[] }> {
  const desk = await openPage(DESK);
  await signInAsNewStaff(desk.page, app, { userName, role: 'cashier', password: CASHIER_PASSWORD });
  await desk.page.goto(`${app.baseUrl}/cashier`);
  return desk;
}

/** A first-time driver registers on the connector page and is signed in at once. */
async function registerOnPhone(page: Page, name: string, phone: string, pin: string): Promise<void> {
  await page.goto(`${app.baseUrl}/q/WALK-1/1`);
  await page.getByRole('heading', { name: 'New here?' }).waitFor();
  await page.getByTestId('register').tap();
  await page.getByLabel('Your name', { exact: true }).fill(name);
  await page.getByLabel('Phone number').fill(phone);
  await page.getByLabel('Choose a PIN').fill(pin);
  await page.getByRole('button', { name: 'Register and sign in' }).tap();
  await page.getByText(`Signed in as ${name}`).waitFor();
}

/** Asks to pay an amount on the connector page; returns the reference the waiting page shows. */
async function askToPay(page: Page, amountLabel: string): Promise<string> {
  await page.getByRole('button', { name: `Pay ${amountLabel}` }).tap();
  await page.waitForURL(/\/q\/WALK-1\/1\/payments\/\d+$/);
  const reference = (await page.getByTestId('pay-reference').textContent())!.trim();
  expect(reference).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
  return reference;
}

async function driverBalance(phone: string): Promise<{ balance: number; available: number }> {
  const user = app.app.services.drivers.userByPhone(phone)!;
  const body = (await app.api('GET', `/users/${user.id}`)).body;
  return { balance: body.balance.amount, available: body.available.amount };
}

test('a new driver registers on the phone, asks to pay, a cashier confirms by UPI at the desk, the charge starts, runs and is billed', async () => {
  const charger = await site();
  const desk = await cashierDesk();
  await desk.page.getByText('No walk-in driver is waiting to pay.').waitFor();

  const phone = await openPage(SCREENS.phone);
  await registerOnPhone(phone.page, 'Simran <Kaur>', '+91 98140 12345', '4321');
  await expect(phone.page.getByTestId('available').textContent()).resolves.toBe('₹0.00');
  const reference = await askToPay(phone.page, '₹200.00');
  await expect(phone.page.getByTestId('pay-amount').textContent()).resolves.toBe('₹200.00');
  await expect(phone.page.getByTestId('pay-instructions').textContent()).resolves.toBe('Show this at the desk, or pay by UPI; charging starts when the payment is confirmed.');
  // The UPI link opens the driver's UPI app for exactly this amount and reference, to the site's address.
  const upi = new URL((await phone.page.getByTestId('upi-link').getAttribute('href'))!);
  expect(`${upi.protocol}//${upi.host}`).toBe('upi://pay');
  expect(Object.fromEntries(upi.searchParams)).toEqual({ pa: 'highwaybay@okaxis', pn: 'Highway Bay', am: '200.00', cu: 'INR', tr: reference, tn: `Chargeyard ${reference}` });
  await expect(phone.page.locator('[data-testid="upi-code"] svg').isVisible()).resolves.toBe(true);
  await expect(phone.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true);

  // The request arrives on the cashier's screen by itself, with the driver's name as text.
  const row = desk.page.locator('[data-testid="payment-row"]', { hasText: reference });
  await row.waitFor({ timeout: 10_000 });
  await expect(row.textContent()).resolves.toContain('Simran <Kaur>');
  await expect(row.getByTestId('payment-amount').textContent()).resolves.toBe('₹200.00');
  await expect(row.textContent()).resolves.toContain('Bay 1 · connector 1');

  // Two keystrokes outside the scan field: U (UPI received, first row) and Enter.
  await desk.page.locator('h1').click();
  await desk.page.keyboard.press('u');
  await expect(desk.page.evaluate('document.activeElement && document.activeElement.getAttribute("data-method-key")')).resolves.toBe('u');
  await desk.page.keyboard.press('Enter');
  await desk.page.getByText(`Payment ${reference} confirmed`).waitFor();

  // The hold comes before the start: the charger is asked to start with the QR start's own idTag.
  const remoteStart = await charger.waitForCall('RemoteStartTransaction');
  expect(remoteStart.payload.connectorId).toBe(1);
  const start = app.app.services.qrStart.activeStartOf(app.app.services.drivers.userByPhone('+919814012345')!.id)!;
  expect(start).toMatchObject({ chargerId: 'WALK-1', connectorId: 1, amountMinor: 20000 });
  // The single-use tag made with this start's hold (#Q and 18 random characters), naming no driver.
  expect(remoteStart.payload.idTag).toBe(app.app.services.startHolds.idTagOf(start.holdTransferId));
  expect(remoteStart.payload.idTag).toMatch(/^#Q[0-9A-Z]{18}$/);
  expect(await driverBalance('+919814012345')).toEqual({ balance: 20000, available: 0 });

  // The driver's page moved on by itself to the charge.
  await phone.page.waitForURL(new RegExp(`/charges/${start.id}$`), { timeout: 15_000 });
  await phone.page.getByText('Plug in your car now').waitFor();
  const session = await V16_SCRIPT.start(charger, { connectorId: 1, idTag: String(remoteStart.payload.idTag), meterStartWh: 0 });
  expect(session.status).toBe('Accepted');
  await V16_SCRIPT.meter(charger, { connectorId: 1, transactionId: session.transactionId }, 1000);
  await phone.page.locator('[data-testid="energy"]', { hasText: '1 kWh' }).waitFor({ timeout: 10_000 });
  await V16_SCRIPT.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 2500, reason: 'EVDisconnected' });
  await phone.page.getByTestId('receipt').waitFor({ timeout: 10_000 });
  await expect(phone.page.getByTestId('receipt-cost').textContent()).resolves.toBe('₹50.00');
  // Single use: once its session took the hold, the tag starts nothing more.
  expect((await charger.authorize(String(remoteStart.payload.idTag))).idTagInfo.status).toBe('Invalid');
  await expect(phone.page.getByTestId('balance-kept').textContent()).resolves.toBe('₹150.00');
  expect(await driverBalance('+919814012345')).toEqual({ balance: 15000, available: 15000 });

  // The money is a UPI top-up with a receipt, in the cashier's name; the session was billed once.
  const user = app.app.services.drivers.userByPhone('+919814012345')!;
  const topups = (await app.api('GET', `/topups?accountId=${user.accountId}`)).body.items;
  expect(topups).toEqual([expect.objectContaining({ method: 'upi', amount: { amount: 20000, currency: 'INR' }, createdBy: 'desk' })]);
  const sessions = (await app.api('GET', `/sessions?userId=${user.id}`)).body.items;
  expect(sessions).toEqual([expect.objectContaining({ status: 'completed', energyWh: 2500, cost: { amount: 5000, currency: 'INR' } })]);
  expect(phone.errors).toEqual([]);
  expect(desk.errors).toEqual([]);
});

test('off the happy path: the driver cancels; a request runs out and is confirmed after the driver left; two cashiers confirm one request at once', async () => {
  const charger = await site({ ttlMs: 8000 });
  const phone = await openPage(SCREENS.phone);
  await registerOnPhone(phone.page, 'Gurpreet', '+91 98765 43210', '8642');
  const user = app.app.services.drivers.userByPhone('+919876543210')!;

  // Cancel: the driver's page says so and the request is gone from the cashier's queue.
  const cancelled = await askToPay(phone.page, '₹100.00');
  await phone.page.getByTestId('pay-cancel').tap();
  await expect(phone.page.getByTestId('pay-state').textContent()).resolves.toBe(`Payment ${cancelled} was cancelled. Nothing was paid through it.`);
  expect(app.app.services.paymentRequests.openQueue()).toEqual([]);

  // Expiry: the page follows the request until it runs out; the driver walks away.
  await phone.page.getByRole('link', { name: 'Back to the charger' }).first().tap();
  const expired = await askToPay(phone.page, '₹500.00');
  await phone.page.locator('[data-testid="payment"][data-status="expired"]').waitFor({ timeout: 25_000 });
  await expect(phone.page.getByTestId('pay-state').textContent()).resolves.toContain(`Payment ${expired} ran out after 15 minutes`);
  await phone.page.context().clearCookies();

  // The UPI payment shows up late on the site's phone: the cashier confirms it from the requests page.
  const desk = await cashierDesk();
  await desk.page.goto(`${app.baseUrl}/payment-requests?status=expired`);
  const late = desk.page.locator('[data-testid="payment-request"]', { hasText: expired });
  await late.getByRole('button', { name: `UPI received for ${expired}` }).click();
  await desk.page.getByText(`Payment ${expired} confirmed`).waitFor();
  expect(await driverBalance('+919876543210')).toEqual({ balance: 50000, available: 50000 });
  expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toEqual([]);

  // At the next sign-in the driver is told the money is in the balance.
  await phone.page.goto(`${app.baseUrl}/q/WALK-1/1`);
  await phone.page.getByLabel('Phone number').fill('+91 98765 43210');
  await phone.page.getByLabel('PIN').fill('8642');
  await phone.page.getByRole('button', { name: 'Sign in' }).tap();
  await expect(phone.page.getByTestId('kept-balance').textContent()).resolves.toBe(`Your payment of ₹500.00 (${expired}) was confirmed after you left. It is in your balance.`);
  await expect(phone.page.getByTestId('available').textContent()).resolves.toBe('₹500.00');

  // Two cashiers have the same request on screen and confirm it at the same moment: each screen's
  // own form (its session, CSRF token and form key) is posted by its own browser context at once,
  // since the live queue would take the row off the second screen as soon as the first confirms.
  const other = await cashierDesk('desk2');
  const desks = [desk, other];
  for (const { page } of desks) await page.goto(`${app.baseUrl}/cashier`);
  // The request arrives on both screens live (its 8 s life in this test starts now).
  const twice = await app.app.services.paymentRequests.create({ formKey: 'pay-twice', user, chargerId: 'WALK-1', connectorId: 1, amountMinor: 10000 });
  const forms = await Promise.all(
    desks.map(async ({ page }) => {
      const form = page.locator(`[data-request-id="${twice.id}"] form.payment-confirm`);
      const field = (name: string) => form.locator(`input[name="${name}"]`).inputValue();
      return { _csrf: await field('_csrf'), formKey: await field('formKey'), back: await field('back') };
    }),
  );
  const answers = await Promise.all(
    desks.map(({ page }, index) => page.request.post(`${app.baseUrl}/payment-requests/${twice.id}/confirm`, { form: { ...forms[index]!, method: 'cash' }, maxRedirects: 0 })),
  );
  expect(answers.map((answer) => [answer.status(), answer.headers().location])).toEqual([
    [303, '/cashier'],
    [303, '/cashier'],
  ]);
  for (const { page } of desks) {
    await page.goto(`${app.baseUrl}/cashier`);
    await page.getByText(`Payment ${twice.reference} confirmed`).waitFor();
  }
  const topups = (await app.api('GET', `/topups?accountId=${user.accountId}`)).body.items as { method: string; amount: { amount: number } }[];
  expect(topups.map((topup) => [topup.method, topup.amount.amount]).sort()).toEqual([
    ['cash', 10000],
    ['upi', 50000],
  ]);
  await charger.waitForCall('RemoteStartTransaction');
  expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toHaveLength(1);
  // The driver still waiting at the connector: the whole payment is held for the start.
  expect(await driverBalance('+919876543210')).toEqual({ balance: 60000, available: 50000 });
  expect(phone.errors).toEqual([]);
});
