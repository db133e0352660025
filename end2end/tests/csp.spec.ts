import { test, expect, Page } from '@playwright/test';
import { logIn, expectHydrated } from './support';

/**
 * Collects every Content-Security-Policy violation of the page: Chromium's console
 * reports ("Refused to execute inline script because it violates…") and the
 * `securitypolicyviolation` events, which a script installed through the DevTools
 * protocol (not subject to the policy) turns into console errors.
 */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|CSP violation/i.test(text)) {
      violations.push(`${page.url()}: ${text}`);
    }
  });
  return violations;
}

test('pages hydrate under the Content-Security-Policy without a single violation', async ({ page }) => {
  test.setTimeout(60_000);
  const violations = await watchViolations(page);

  // The page's policy names the nonce its hydration script carries.
  const response = await page.goto('/login');
  const policy = response!.headers()['content-security-policy'];
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{22,}' 'wasm-unsafe-eval'/);
  const nonce = /'nonce-([^']+)'/.exec(policy)![1];
  // The nonce attribute is hidden from the DOM once parsed; the script itself ran.
  await expectHydrated(page);
  expect(await page.locator('script[type="module"]').count()).toBeGreaterThan(0);
  expect(nonce.length).toBeGreaterThanOrEqual(22);

  // A control that only works once hydrated: the password toggle.
  await page.getByLabel('Password', { exact: true }).fill('secret');
  await page.locator('#toggle-password').click();
  await expect(page.locator('#password')).toHaveAttribute('type', 'text');
  await expect(page.locator('#toggle-password')).toHaveAttribute('aria-pressed', 'true');

  await logIn(page, 'alice');
  await expect(page).toHaveURL(/\/$/);
  for (const path of ['/', '/catalog', '/requests', '/cart', '/delegations', '/worklist']) {
    await page.goto(path);
    await expectHydrated(page);
  }
  // Navigation inside the hydrated app (client-side routing, server functions).
  await page.goto('/requests');
  await expectHydrated(page);
  const detail = page.locator('a[href^="/requests/"]').first();
  if (await detail.count()) {
    await detail.click();
    await expect(page).toHaveURL(/\/requests\/.+/);
  }

  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'admin');
  await page.goto('/admin');
  await expectHydrated(page);
  // The API documentation is a server page without any script.
  await page.goto('/api/wfs/v1/docs');
  await expect(page.locator('h1')).toBeVisible();

  expect(violations).toEqual([]);
});
