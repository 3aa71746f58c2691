import type { Browser } from 'playwright-core';
import type { TestApp } from './app';
import { launchBrowser } from './browser';

/**
 * One browser for a test file: launched before its first test, closed after its last. Call it at
 * the top of the file; the returned function gives the browser inside tests and hooks.
 * It registers Jest hooks, so test files import it directly (not through ./index, which the
 * benchmark and `npm run screenshots` load outside Jest) and it is left out of the build.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is launched in beforeAll: use it inside tests and hooks');
    return browser;
  };
}

/**
 * After each test, the appliance it started (`current()`) is proven to have a balanced ledger, then
 * closed. Register it after any afterEach that must run first (Jest runs them in that order).
 */
export function checkLedgerAndCloseAfterEach(current: () => TestApp): void {
  afterEach(async () => {
    expect(current().app.services.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
    await current().close();
  });
}
