import fs from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { StaffRole } from '../staff';
import { startTestApp, type TestApp } from './app';
import { testActor } from './domains';

/**
 * What the browser tests (and `npm run screenshots`) do with a browser from launchBrowser: the
 * screens the UI is made for, a page that records what would fail a test, signing in, axe.
 */

/** The screens staff and drivers use: a phone at a QR label, the cashier's desk, the owner's office. */
export const SCREENS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desk: { viewport: { width: 1024, height: 768 } },
  office: { viewport: { width: 1280, height: 900 } },
} as const satisfies Record<string, BrowserContextOptions>;

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors (a CSP refusal is one), for the test to expect none of. */
  errors: string[];
}

export interface WatchedPageOptions extends BrowserContextOptions {
  /**
   * A page whose forms are refused with a 4xx on purpose: the browser logs each such answer as
   * "Failed to load resource", which is then not an error; a CSP refusal or a script error still is.
   */
  allowFailedLoads?: boolean;
}

/** A page in a new browser context (closing the context is the caller's), recording its errors. */
export async function openWatchedPage(browser: Browser, options: WatchedPageOptions = {}): Promise<WatchedPage> {
  const { allowFailedLoads = false, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (allowFailedLoads && message.text().startsWith('Failed to load resource')) return;
    errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** A fresh appliance and a watched page for one test; both are closed after `run`, pass or fail. */
export async function withAppPage(browser: Browser, run: (app: TestApp, page: Page, errors: string[]) => Promise<void>, options: WatchedPageOptions = {}): Promise<void> {
  const app = await startTestApp();
  const { context, page, errors } = await openWatchedPage(browser, options);
  try {
    await run(app, page, errors);
  } finally {
    await context.close();
    await app.close();
  }
}

/** Signs in on the login page (English until signed in) as staff do, and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, userName: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

export interface NewStaff {
  userName: string;
  role: StaffRole;
  password: string;
  displayName?: string;
  language?: string;
}

/** Makes a staff user and signs in as them. */
export async function signInAsNewStaff(page: Page, app: TestApp, user: NewStaff): Promise<void> {
  await app.app.services.staff.users.create(user, testActor('test'));
  await signIn(page, app.baseUrl, user.userName, user.password);
}

/**
 * The serious and critical axe violations of the page as it is now, as "rule (how many elements)".
 * axe is injected as a script, which the CSP refuses: open the page with `bypassCSP: true`.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  // Page functions are given as source text: this project compiles without the DOM library.
  const results = (await page.evaluate("window.axe.run(document, { resultTypes: ['violations'] })")) as { violations: { id: string; impact: string | null; nodes: unknown[] }[] };
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.nodes.length})`);
}
