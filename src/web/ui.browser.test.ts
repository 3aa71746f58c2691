import { seriousAxeViolations, signInAsNewStaff, withAppPage } from '../testing';
import { useBrowser } from '../testing/browser-fixture';

/**
 * Real-browser flows: the setup wizard, sign-in, the cashier with a keyboard-wedge scan, a live
 * dashboard update over SSE, and an axe check of the main pages. One browser for the file.
 */
const PASSWORD = 'correct horse battery';

const browser = useBrowser();

test('the setup wizard runs in the browser and lands signed in on the dashboard', async () => {
  await withAppPage(browser(), async (app, page, errors) => {
    await page.goto(`${app.baseUrl}/`);
    expect(page.url()).toBe(`${app.baseUrl}/setup`);
    await page.getByLabel('Site name').fill('Browser Depot');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByLabel('Time zone (IANA, e.g. Asia/Kolkata)').fill('Asia/Kolkata');
    // Prices in rupees, with a preview that follows the typing.
    await page.getByLabel('Energy price per kWh (INR)').fill('18');
    await page.getByLabel('Session fee (INR)').fill('10');
    await expect(page.getByTestId('tariff-preview').textContent()).resolves.toBe('A 20 kWh, 1 h charge costs ₹370.00 at these prices (before time-of-day bands and idle fees).');
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await page.waitForURL(`${app.baseUrl}/`);
    await expect(page.getByRole('heading', { name: 'Dashboard' }).isVisible()).resolves.toBe(true);
    expect(app.app.services.settings.get().siteName).toBe('Browser Depot');
    expect(app.app.services.tariffs.current().default).toMatchObject({ energyPricePerKwhMinor: 1800, sessionFeeMinor: 1000 });
    expect(errors).toEqual([]);
  });
});

test('the dashboard updates live over SSE when a simulated charger changes status', async () => {
  await withAppPage(browser(), async (app, page, errors) => {
    const charger = await app.acceptedCharger('CP-LIVE');
    await charger.status(1, 'Available');
    await signInAsNewStaff(page, app, { userName: 'admin', role: 'admin', password: PASSWORD });
    const badge = page.locator('tr[data-charger="CP-LIVE"] [data-connector="1"]');
    await expect(badge.textContent()).resolves.toContain('Available');
    // Wait for the stream to be open before the change, so the update must come over SSE.
    await page.locator('[sse-connect]').waitFor({ state: 'attached' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await charger.status(1, 'Charging');
    // Polling the page would take 30 s: within 5 s only the SSE stream can have brought the change.
    await page.locator('tr[data-charger="CP-LIVE"] [data-connector="1"]', { hasText: 'Charging' }).waitFor({ timeout: 5000 });
    expect(errors).toEqual([]);
  });
});

test('cashier: a keyboard-wedge scan, a top-up by keyboard only, the receipt, focus back on the scan field', async () => {
  await withAppPage(browser(), async (app, page, errors) => {
    await app.api('POST', '/cards', { uid: '04A1B2C3', kind: 'prepaid' });
    // The receipt opens the print dialog, the browser's own window: not shown in a test.
    await page.addInitScript('window.print = () => undefined;');
    await signInAsNewStaff(page, app, { userName: 'desk', role: 'cashier', password: PASSWORD });
    await page.goto(`${app.baseUrl}/cashier`);
    // The scan field has focus on arrival; the reader types the UID and Enter.
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('scan-uid');
    await page.keyboard.type('04a1b2c3', { delay: 5 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="card-panel"]');
    // The card is found: the amount field has the focus, so the cashier just types.
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('f-amount');
    await page.keyboard.type('750');
    await page.keyboard.press('Enter');
    // Nothing moves before the confirm step; its button has the focus, so Enter confirms.
    await page.waitForSelector('[data-testid="confirm"]');
    expect((await app.api('GET', '/cards/04A1B2C3')).body.balance.amount).toBe(0);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="receipt"]');
    await expect(page.locator('[data-testid="new-balance"]').textContent()).resolves.toContain('750.00');
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('scan-uid');
    expect((await app.api('GET', '/cards/04A1B2C3')).body.balance.amount).toBe(75000);
    // Esc clears the screen: an empty scan field with the focus, no receipt.
    await page.keyboard.type('half a scan');
    await page.keyboard.press('Escape');
    await expect(page.locator('#scan-uid').inputValue()).resolves.toBe('');
    await expect(page.locator('[data-testid="receipt"]').count()).resolves.toBe(0);
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('scan-uid');
    expect((await app.api('GET', '/cards/04A1B2C3')).body.balance.amount).toBe(75000);
    expect(errors).toEqual([]);
  });
});

test('the main pages have no serious axe violations', async () => {
  await withAppPage(browser(), async (app, page, errors) => {
    await app.acceptedCharger('CP-AXE');
    await app.api('POST', '/cards', { uid: '0badcafe', kind: 'prepaid' });
    await signInAsNewStaff(page, app, { userName: 'admin', role: 'admin', password: PASSWORD });
    const pages = ['/', '/chargers', '/chargers/CP-AXE', '/cashier', '/cashier?uid=0BADCAFE', '/reports/chargers', '/reports', '/sessions', '/drivers', '/settings', '/staff', '/tokens', '/audit', '/me'];
    const found: Record<string, string[]> = {};
    for (const path of pages) {
      await page.goto(`${app.baseUrl}${path}`);
      const violations = await seriousAxeViolations(page);
      if (violations.length) found[path] = violations;
    }
    // The dark theme has its own colours: check the contrast there too.
    await page.goto(`${app.baseUrl}/me`);
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.waitForURL(`${app.baseUrl}/me`);
    for (const path of ['/', '/chargers/CP-AXE', '/cashier?uid=0BADCAFE']) {
      await page.goto(`${app.baseUrl}${path}`);
      expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
      const violations = await seriousAxeViolations(page);
      if (violations.length) found[`${path} (dark)`] = violations;
    }
    await page.context().clearCookies();
    await page.goto(`${app.baseUrl}/login`);
    const loginViolations = await seriousAxeViolations(page);
    if (loginViolations.length) found['/login'] = loginViolations;
    expect(found).toEqual({});
    expect(errors).toEqual([]);
    // Only the axe check bypasses the CSP, to inject axe itself; every other flow runs under it.
  }, { bypassCSP: true });
  // Eighteen page loads with an axe run each: over 50 s on a busy 2-core machine.
}, 300_000);
