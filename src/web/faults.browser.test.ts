import { signInAsNewStaff, withAppPage } from '../testing';
import { useBrowser } from '../testing/browser-fixture';

/**
 * Real-browser flows of issue 14: what staff see and do about faulty chargers (session flags,
 * closing a session the charger will never end). One browser for the file.
 */
const PASSWORD = 'correct horse battery';

const browser = useBrowser();

test('an admin closes a session the charger will never end, after confirming; the page shows it billed and flagged', async () => {
  await withAppPage(browser(), async (app, page, errors) => {
    expect((await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 1000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    expect((await app.api('POST', '/cards', { uid: 'PRE9', kind: 'prepaid' })).status).toBe(201);
    expect((await app.api('POST', '/cards/PRE9/topups', { amount: 50_000, method: 'cash' })).status).toBe(201);
    const charger = await app.acceptedCharger('CP-GONE');
    // The charger's clock says 1970: the session page shows the flag and what the charger said.
    const start = await charger.startTransaction(1, 'PRE9', 1000, '1970-01-01T00:00:00.000Z');
    await charger.meterValues(1, start.transactionId, 3500, '1970-01-01T00:20:00.000Z');
    await charger.close();

    await signInAsNewStaff(page, app, { userName: 'admin', role: 'admin', password: PASSWORD });
    await page.goto(`${app.baseUrl}/sessions/${start.transactionId}`);
    await expect(page.locator('[data-flag="start_time_untrusted"]').textContent()).resolves.toContain('could not be true');
    await expect(page.getByText('1970-01-01T00:00:00.000Z').isVisible()).resolves.toBe(true);

    // Without a reason the form says so next to the field, and nothing is closed.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Close session ${start.transactionId}` }).click();
    await expect(page.locator('#e-reason').textContent()).resolves.toContain('Give a reason');
    expect(app.app.services.sessions.get(start.transactionId)!.status).toBe('active');

    // Dismissing the question changes nothing either.
    await page.getByLabel('Reason').fill('charger stolen');
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: `Close session ${start.transactionId}` }).click();
    expect(app.app.services.sessions.get(start.transactionId)!.status).toBe('active');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Close session ${start.transactionId}` }).click();
    await page.waitForURL(`${app.baseUrl}/sessions/${start.transactionId}`);
    await expect(page.locator('#live').textContent()).resolves.toContain(`Session ${start.transactionId} was closed and billed`);
    await expect(page.locator('[data-flag="closed_by_staff"]').isVisible()).resolves.toBe(true);
    await expect(page.getByText('charger stolen').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: `Close session ${start.transactionId}` }).count()).resolves.toBe(0);
    // 2.5 kWh at 10.00.
    expect((await app.api('GET', `/sessions/${start.transactionId}`)).body).toMatchObject({ status: 'completed', cost: { amount: 2500 } });
    // The one 400 is the form answered with its field error.
    expect(errors.filter((error) => !error.includes('status of 400'))).toEqual([]);
  });
});

test('a viewer sees the flags but no close button', async () => {
  await withAppPage(browser(), async (app, page) => {
    expect((await app.api('POST', '/cards', { uid: 'P1', kind: 'personal' })).status).toBe(201);
    const charger = await app.acceptedCharger('CP-V');
    const start = await charger.startTransaction(1, 'P1', -5);
    await signInAsNewStaff(page, app, { userName: 'viewer', role: 'viewer', password: PASSWORD });
    await page.goto(`${app.baseUrl}/sessions/${start.transactionId}`);
    await expect(page.locator('[data-flag="meter_reading_untrusted"]').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /Close session/ }).count()).resolves.toBe(0);
    const forged = await page.request.post(`${app.baseUrl}/sessions/${start.transactionId}/close`, { form: { reason: 'x' } });
    expect(forged.status()).toBe(403);
  });
});
