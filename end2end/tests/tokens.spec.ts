import { test, expect, request, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { logIn, logInWithoutScript, expectHydrated } from './support';

const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');

function isoDay(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

/** getWorklist with the token alone (no cookie): its HTTP status. */
async function callWithToken(baseURL: string | undefined, token: string, operation = 'getWorklist'): Promise<number> {
  const api = await request.newContext({ baseURL });
  const response = await api.post(`/api/wfs/v1/${operation}`, {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    data: {},
  });
  const status = response.status();
  await api.dispose();
  return status;
}

async function createToken(page: Page, name: string) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Valid until (included)').fill(isoDay(30));
  await page.getByRole('checkbox', { name: 'getWorklist' }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
}

test('a token is created, its secret shown once, it calls the API, and revoked it stops', async ({ page, baseURL }) => {
  test.setTimeout(60_000);
  await logIn(page, 'olivia');
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page).toHaveURL(/\/tokens$/);
  await expectHydrated(page);
  await createToken(page, 'nightly report');
  const secret = await page.locator('#new-token-secret').inputValue();
  expect(secret).toMatch(/^assent_[0-9a-f]{64}$/);
  await expect(page.locator('#new-token-panel')).toContainText('nightly report');
  const row = page.locator('#token-list tbody tr', { hasText: 'nightly report' });
  await expect(row).toContainText('getWorklist');
  await expect(row).toContainText('active');

  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tokens.png'), fullPage: true });

  expect(await callWithToken(baseURL, secret)).toBe(200);
  expect(await callWithToken(baseURL, secret, 'listDefinitions')).toBe(403);
  await page.reload();
  await expectHydrated(page);
  await expect(page.locator('#new-token-panel')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  await page.getByRole('button', { name: 'Revoke the token nightly report' }).click();
  await expect(page.locator('#token-result')).toContainText('The token was revoked');
  await expect(row).toContainText('revoked');
  expect(await callWithToken(baseURL, secret)).toBe(401);
});

test('without JavaScript: the secret is shown once after the form post, and revoking works', async ({ browser, baseURL }) => {
  const page = await logInWithoutScript(browser, 'judy');
  await page.goto('/tokens');
  await createToken(page, 'no-script job');
  await expect(page).toHaveURL(/\/tokens$/);
  const secret = await page.locator('#new-token-secret').inputValue();
  expect(secret).toMatch(/^assent_[0-9a-f]{64}$/);
  expect(await callWithToken(baseURL, secret)).toBe(200);
  await page.reload();
  await expect(page.locator('#new-token-panel')).toHaveCount(0);
  await page.getByRole('button', { name: 'Revoke the token no-script job' }).click();
  await expect(page.locator('#token-list tbody tr', { hasText: 'no-script job' })).toContainText('revoked');
  expect(await callWithToken(baseURL, secret)).toBe(401);
  await page.context().close();
});
