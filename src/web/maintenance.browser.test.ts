import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createRestartableApp, type RestartableApp } from '../main';
import { makeTempDir, openWatchedPage, signIn, TEST_API_TOKEN, testConfig, testActor } from '../testing';
import { useBrowser } from '../testing/browser-fixture';

/**
 * The Maintenance page in a real browser under the strict CSP: "Back up now" with its polled
 * progress, a download, and restore by upload through htmx (refused for a damaged file, then done
 * for a good one with the appliance restarting in-process).
 */
const PASSWORD = 'correct horse battery';

const browser = useBrowser();

test('back up, download, and restore by upload in the browser, with no CSP or script error', async () => {
  const dataDir = makeTempDir('chargeyard-maintenance-browser-');
  const appliance: RestartableApp = await createRestartableApp(testConfig(dataDir), { logger: pino({ level: 'silent' }) });
  const baseUrl = appliance.current().uiUrl.replace(/\/$/, '').replace('localhost', '127.0.0.1');
  const api = (method: string, apiPath: string, body?: unknown) =>
    fetch(`${baseUrl}/api/v1${apiPath}`, { method, headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // A refused upload answers 200 with its message (htmx swaps only 2xx): every failed load is an error here.
  const { context, page, errors } = await openWatchedPage(browser(), { acceptDownloads: true });
  try {
    expect((await api('POST', '/chargers', { id: 'CP-BEFORE' })).status).toBe(201);
    await appliance.current().services.staff.users.create({ userName: 'admin', role: 'admin', password: PASSWORD }, testActor('test'));
    await signIn(page, baseUrl, 'admin', PASSWORD);
    await page.getByRole('link', { name: 'Maintenance' }).click();
    await page.waitForURL(`${baseUrl}/maintenance`);

    await page.getByRole('button', { name: 'Back up now' }).click();
    // The progress fragment polls until the backup is done, then the page reloads with the new row.
    const row = page.locator('table[data-testid="backups"] tbody tr').first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const downloadStarted = page.waitForEvent('download');
    await row.getByRole('link', { name: 'Download' }).click();
    const download = await downloadStarted;
    const downloaded = path.join(dataDir, 'downloaded.db');
    await download.saveAs(downloaded);
    const name = download.suggestedFilename();
    expect(fs.readFileSync(downloaded).equals(fs.readFileSync(path.join(dataDir, 'backups', name)))).toBe(true);

    expect((await api('POST', '/chargers', { id: 'CP-AFTER' })).status).toBe(201);
    const broken = path.join(dataDir, 'broken.db');
    fs.writeFileSync(broken, Buffer.alloc(4096, 7));
    await page.getByLabel('Backup file').setInputFiles(broken);
    await page.getByLabel(/I understand that all current data/).check();
    await page.getByRole('button', { name: 'Upload and restore' }).click();
    await expect(page.locator('[data-testid="restore-error"]').textContent({ timeout: 10_000 })).resolves.toContain('broken.db is not a usable Chargeyard database');
    expect((await api('GET', '/chargers/CP-AFTER')).status).toBe(200);

    await page.getByLabel('Backup file').setInputFiles(downloaded);
    await page.getByLabel(/I understand that all current data/).check();
    await page.getByRole('button', { name: 'Upload and restore' }).click();
    await expect(page.locator('[data-testid="restarting"]').textContent({ timeout: 10_000 })).resolves.toContain('within a minute');
    await appliance.settled();
    expect((await api('GET', '/chargers/CP-BEFORE')).status).toBe(200);
    expect((await api('GET', '/chargers/CP-AFTER')).status).toBe(404);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    await appliance.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
