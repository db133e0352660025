import { expect, Browser, BrowserContextOptions, Page } from '@playwright/test';
import { readFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

export const DEMO_PASSWORD = process.env.ASSENT_DEMO_PASSWORD ?? 'assent-demo';
export const LOGIN_FAILED = 'The user name or password is incorrect.';

export async function logIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A page in a browser context of its own (its own cookies), logged in as `username`. */
export async function logInElsewhere(browser: Browser, username: string, options?: BrowserContextOptions) {
  const page = await (await browser.newContext(options)).newPage();
  await logIn(page, username);
  return page;
}

/** As `logInElsewhere`, in a browser that runs no JavaScript. */
export async function logInWithoutScript(browser: Browser, username: string) {
  return logInElsewhere(browser, username, { javaScriptEnabled: false });
}

export async function expectLoggedInAs(page: Page, displayName: string) {
  await expect(page.locator('.user-name')).toHaveText(displayName);
}

/** The page has hydrated: the browser half (WebAssembly) runs. */
export async function expectHydrated(page: Page) {
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'true');
}

/** Opens the request form of the catalog item `item`, from the catalog. */
export async function openRequestForm(page: Page, item: string) {
  await page.goto('/catalog');
  await page.getByRole('link', { name: `Request ${item}` }).click();
}

/** The logged-in user requests `item` with `justification`, and sees it confirmed. */
export async function requestItem(page: Page, item: string, justification: string) {
  await openRequestForm(page, item);
  await expectHydrated(page);
  await page.getByLabel('Justification *').fill(justification);
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
}

/** Runs axe-core on the page and fails on any serious or critical violation (as screens.spec.ts does). */
export async function expectAccessible(page: Page, name: string) {
  // Evaluated through the DevTools protocol: an added <script> tag would be inline
  // script, which the portal's Content-Security-Policy refuses.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as any).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  expect(violations, `accessibility of ${name}`).toEqual([]);
}

const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');

/** Saves the hydrated page as a screenshot (end2end/screenshots/NAME.png) and checks it with axe-core. */
export async function visit(page: Page, name: string) {
  await expectHydrated(page);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await expectAccessible(page, name);
}
