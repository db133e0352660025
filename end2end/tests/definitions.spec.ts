import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { logIn, expectHydrated } from './support';

// The engine's tests check this definition line by line; here an admin deploys it under a
// path of its own, so every run adds a new definition.
const VALID = fs
  .readFileSync(path.join(__dirname, '..', '..', 'engine', 'tests', 'fixtures', 'one_approval.toml'), 'utf8')
  .replace('name = "Test"', 'name = "Playwright check"')
  .replace('path = "My-Company/Test"', `path = "Test/Playwright-${Date.now()}"`);

test('an admin deploys a definition at run time; a broken one is refused with its line', async ({ page }) => {
  await logIn(page, 'admin');
  await page.goto('/admin');
  await expectHydrated(page);
  await expect(page.locator('#definitions')).toContainText('My-Company/Approval/4-Eye-Approval');
  await page.getByText('Deploy a definition').click();

  await page.getByLabel('File name').fill('broken.toml');
  await page.getByLabel('Definition (TOML)').fill(VALID.replace('on_approve = "end"', 'on_approve = "nowhere"'));
  await page.getByRole('button', { name: 'Check and deploy' }).click();
  await expect(page.getByRole('alert')).toContainText('broken.toml:');
  await expect(page.getByRole('alert')).toContainText('unknown activity nowhere');
  await expect(page.locator('#definitions')).not.toContainText('Test/Playwright');

  await page.getByLabel('File name').fill('playwright.toml');
  await page.getByLabel('Definition (TOML)').fill(VALID);
  await page.getByRole('button', { name: 'Check and deploy' }).click();
  await expect(page.getByRole('status')).toContainText('as version 1');
  await expect(page.locator('#definitions')).toContainText('Test/Playwright');
});

test('a non-admin cannot deploy, even by calling the server function directly', async ({ page }) => {
  await logIn(page, 'alice');
  const response = await page.request.post('/app/admin/deploy', {
    form: { file_name: 'sneaky.toml', source: VALID },
    headers: { 'Sec-Fetch-Site': 'same-origin' },
  });
  expect(response.status()).toBe(403);
});
