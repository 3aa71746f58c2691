import { openWatchedPage, SCREENS, seriousAxeViolations, startTestApp, V16_SCRIPT, type TestApp } from '../testing';
import { checkLedgerAndCloseAfterEach, useBrowser } from '../testing/browser-fixture';

/**
 * The whole QR start on a phone-sized screen in a real browser, under the real CSP: scan (open the
 * URL), sign in with phone and PIN, choose "up to my balance", watch the charge live, stop it, and
 * read the receipt. The ledger is proven balanced at the end.
 */
// The whole phone flow in a real browser takes 20-40 s on a busy 2-core machine.
jest.setTimeout(120_000);

const browser = useBrowser();
let app: TestApp;
checkLedgerAndCloseAfterEach(() => app);

test('a driver on a phone scans, signs in, holds up to the balance, charges live, stops and reads the receipt', async () => {
  app = await startTestApp();
  await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 });
  const charger = await app.acceptedCharger('BAY-7');
  await app.api('PATCH', '/chargers/BAY-7', { name: 'Bay 7' });
  await charger.status(1, 'Available');
  const user = await app.api('POST', '/users', { name: 'Asha', phone: '+919800000001', pin: '2468' });
  await app.api('POST', `/users/${user.body.id}/topups`, { amount: 30000, method: 'cash' });

  const { context, page, errors } = await openWatchedPage(browser(), SCREENS.phone);
  try {
    await page.goto(`${app.baseUrl}/q/BAY-7/1`);
    await expect(page.getByRole('heading', { name: 'Charger Bay 7' }).isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('tariff').textContent()).resolves.toContain('₹20.00 per kWh');
    // Nothing on the page is wider than the phone.
    await expect(page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true);

    await page.getByLabel('Phone number').fill('+91 98000 00001');
    await page.getByLabel('PIN').fill('2468');
    await page.getByRole('button', { name: 'Sign in' }).tap();
    await page.getByText('Signed in as Asha').waitFor();

    await page.getByRole('button', { name: 'Up to my balance (₹300.00)' }).tap();
    await page.waitForURL(/\/charges\/\d+$/);
    expect((await app.api('GET', `/users/${user.body.id}`)).body).toMatchObject({ balance: { amount: 30000 }, available: { amount: 0 } });
    const remoteStart = await charger.waitForCall('RemoteStartTransaction');
    await page.getByText('Plug in your car now').waitFor();

    // The car is plugged in: the charger starts the transaction and reports energy; the page follows by itself.
    const session = await V16_SCRIPT.start(charger, { connectorId: 1, idTag: String(remoteStart.payload.idTag), meterStartWh: 0 });
    await V16_SCRIPT.meter(charger, { connectorId: 1, transactionId: session.transactionId }, 2500);
    await page.locator('[data-testid="energy"]', { hasText: '2.5 kWh' }).waitFor({ timeout: 8000 });
    await expect(page.getByTestId('cost').textContent()).resolves.toBe('₹50.00');
    await expect(page.getByTestId('left').textContent()).resolves.toBe('₹250.00');

    await page.getByRole('button', { name: 'Stop charging' }).tap();
    await charger.waitForCall('RemoteStopTransaction');
    await page.getByTestId('stop-message').waitFor();
    await V16_SCRIPT.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 3000, reason: 'Remote' });
    await page.getByTestId('receipt').waitFor({ timeout: 8000 });
    await expect(page.getByTestId('receipt-cost').textContent()).resolves.toBe('₹60.00');
    // The receipt is final: what each part cost, not a running "cost so far".
    await expect(page.getByTestId('line-energy').textContent()).resolves.toMatch(/Energy \(3 kWh\)\s*₹60\.00/);
    await expect(page.getByTestId('receipt').textContent()).resolves.not.toContain('Cost so far');
    await expect(page.getByTestId('receipt-released').textContent()).resolves.toBe('₹240.00');
    expect((await app.api('GET', `/users/${user.body.id}`)).body).toMatchObject({ balance: { amount: 24000 }, available: { amount: 24000 } });

    // The accessibility check needs axe injected, which the CSP refuses: a second context bypasses it for that alone.
    const axeContext = await browser().newContext({ ...SCREENS.phone, bypassCSP: true });
    const axePage = await axeContext.newPage();
    await axePage.goto(`${app.baseUrl}/q/BAY-7/1`);
    await expect(seriousAxeViolations(axePage)).resolves.toEqual([]);
    await axeContext.close();
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
