import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { viewsDir } from '../web/paths';
import { launchBrowser } from './browser';
import { SCREENS, signIn } from './browser-page';
import { testActor } from './domains';
import { startTestApp, type TestApp } from './app';
import type { SimulatedCharger } from './charger-simulator';
import { V16_SCRIPT } from './version-scripts';

/**
 * `npm run screenshots`: the README's pictures of the UI, taken from the real appliance with
 * simulated chargers and a real browser, so they can be refreshed after a change to the pages.
 * They are written to views/screenshots/ (the top level of the repository is fixed; views/ holds
 * what people see, and outside views/assets/ the appliance does not serve them).
 */
const OUT_DIR = process.argv[2] ?? path.join(viewsDir(), 'screenshots');
const PASSWORD = 'screenshot password';

interface Site {
  app: TestApp;
  bays: SimulatedCharger[];
  driverId: number;
}

/** A small site as an owner would have it after a day: named chargers, drivers, sessions, one fault. */
async function seedSite(): Promise<Site> {
  const app = await startTestApp();
  await app.api('PATCH', '/settings', { siteName: 'Gurdwara Road EV Charging', siteAddress: 'Plot 7, GT Road, Jalandhar 144001\nPhone 0181 222 3344', timeZone: 'Asia/Kolkata' });
  await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 1850, sessionFee: 1000, timePricePerHour: 0 });
  const bays: SimulatedCharger[] = [];
  for (const [id, name] of [
    ['CP-001', 'Bay 1 (22 kW)'],
    ['CP-002', 'Bay 2 (22 kW)'],
    ['CP-003', 'Bay 3 (60 kW DC)'],
  ] as const) {
    const charger = await app.acceptedCharger(id);
    await app.api('PATCH', `/chargers/${id}`, { name });
    await charger.status(1, 'Available');
    bays.push(charger);
  }
  const gurpreet = await app.api('POST', '/users', { name: 'Gurpreet Singh', phone: '98140 12345', pin: '2468' });
  await app.api('POST', `/users/${gurpreet.body.id}/topups`, { amount: 235855, method: 'cash' });
  const harjit = await app.api('POST', '/users', { name: 'Harjit Kaur', phone: '+91 98765 43210' });
  await app.api('POST', '/cards', { uid: '04A1B2C3D4', kind: 'prepaid', userId: harjit.body.id });
  await app.api('POST', '/cards/04A1B2C3D4/topups', { amount: 100000, method: 'card' });

  // A finished session on bay 1 and one running on bay 2 (prepaid card), a fault on bay 3. They
  // began a while ago: 18.4 kWh in the seconds this script takes would be an impossible reading,
  // flagged and never billed (CONTRACT: the 1 MW bound), and left out of the day's totals.
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const done = await V16_SCRIPT.start(bays[0]!, { connectorId: 1, idTag: '04A1B2C3D4', meterStartWh: 100_000, timestamp: minutesAgo(50) });
  await V16_SCRIPT.stop(bays[0]!, { connectorId: 1, transactionId: done.transactionId }, { meterStopWh: 118_400, reason: 'Local' });
  await bays[0]!.status(1, 'Available');
  const running = await V16_SCRIPT.start(bays[1]!, { connectorId: 1, idTag: '04A1B2C3D4', meterStartWh: 50_000, timestamp: minutesAgo(25) });
  await V16_SCRIPT.meter(bays[1]!, { connectorId: 1, transactionId: running.transactionId }, 57_250);
  await bays[1]!.status(1, 'Charging');
  await bays[2]!.status(1, 'Faulted', 'GroundFailure');
  // A charger nobody registered, waiting for approval.
  const stranger = await app.charger('ABB-TERRA-7731');
  await stranger.boot().catch(() => undefined);
  return { app, bays, driverId: gurpreet.body.id };
}

async function staffPage(browser: Browser, site: Site, options: BrowserContextOptions): Promise<{ context: BrowserContext; page: Page }> {
  const users = site.app.app.services.staff.users;
  if (!users.byUserName('owner')) await users.create({ userName: 'owner', displayName: 'Manpreet Kaur', role: 'admin', password: PASSWORD }, testActor('test'));
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, site.app.baseUrl, 'owner', PASSWORD);
  return { context, page };
}

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}

/** The driver's QR flow on a phone, in Punjabi: the connector page, the amount, charging, the receipt. */
async function qrFlow(browser: Browser, site: Site): Promise<void> {
  const context = await browser.newContext(SCREENS.phone);
  const page = await context.newPage();
  try {
    const bay = site.bays[0]!;
    await page.goto(`${site.app.baseUrl}/q/CP-001/1`);
    await page.getByTestId('language-choice').getByRole('button', { name: 'ਪੰਜਾਬੀ' }).click();
    await page.locator('html[lang="pa"]').waitFor();
    await shoot(page, 'qr-1-connector-pa');
    await page.locator('#f-phone').fill('98140 12345');
    await page.locator('#f-pin').fill('2468');
    await page.locator('#f-pin').press('Enter');
    await page.getByTestId('amounts').waitFor();
    await shoot(page, 'qr-2-amount-pa');
    await page.locator('[data-testid="amounts"] button').nth(1).click();
    await page.waitForURL(/\/charges\/\d+$/);
    const remoteStart = await bay.waitForCall('RemoteStartTransaction');
    const session = await V16_SCRIPT.start(bay, { connectorId: 1, idTag: String(remoteStart.payload.idTag), meterStartWh: 118_400 });
    await V16_SCRIPT.meter(bay, { connectorId: 1, transactionId: session.transactionId }, 124_650);
    await page.locator('[data-testid="energy"]', { hasText: '6.25' }).waitFor({ timeout: 15_000 });
    await shoot(page, 'qr-3-charging-pa');
    await V16_SCRIPT.stop(bay, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 127_900, reason: 'EVDisconnected' });
    await page.getByTestId('receipt').waitFor({ timeout: 15_000 });
    await shoot(page, 'qr-4-receipt-pa', true);
  } finally {
    await context.close();
  }
}

/** The cashier at 1024×768: Gurpreet found by name, ₹500 cash at the confirm step, then the receipt. */
async function desk(browser: Browser, site: Site): Promise<void> {
  const { context, page } = await staffPage(browser, site, SCREENS.desk);
  try {
    // The receipt asks for the print dialog at once; a screenshot cannot show the browser's dialog.
    await context.addInitScript('window.print = () => undefined;');
    await page.goto(`${site.app.baseUrl}/cashier`);
    await page.locator('#scan-uid').fill('gurpreet');
    await page.locator('#scan-uid').press('Enter');
    await page.getByTestId('card-panel').waitFor();
    await page.locator('#f-amount').fill('500');
    await page.locator('#f-amount').press('Enter');
    await page.getByTestId('confirm').waitFor();
    await shoot(page, 'cashier-confirm');
    await page.keyboard.press('Enter');
    await page.getByTestId('receipt').waitFor();
    await shoot(page, 'cashier-receipt');
    // The receipt as the 80 mm printer gets it.
    await page.emulateMedia({ media: 'print' });
    const file = path.join(OUT_DIR, 'receipt-80mm.png');
    await page.getByTestId('receipt').screenshot({ path: file });
    process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const browser = await launchBrowser();
  const site = await seedSite();
  try {
    await qrFlow(browser, site);
    const { context, page } = await staffPage(browser, site, SCREENS.office);
    await page.goto(`${site.app.baseUrl}/`);
    await shoot(page, 'dashboard', true);
    await context.close();
    await desk(browser, site);
  } finally {
    await site.app.close();
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
