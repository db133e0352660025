import { test, expect } from '@playwright/test';
import { logIn } from './support';

test('a requester finds an item, gets field errors from the server, and submits', async ({ page }) => {
  await logIn(page, 'zoe');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request access' }).click();
  await page.getByRole('searchbox').fill('crm');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#catalog')).toContainText('CRM Account');
  await expect(page.locator('#catalog')).not.toContainText('VPN Access');
  await page.getByRole('link', { name: 'Request CRM Account' }).click();
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByRole('heading', { name: 'Request CRM Account' })).toBeVisible();

  // Past the browser's own hints, the server checks every field.
  await page.locator('form.request-form').evaluate((form: HTMLFormElement) => (form.noValidate = true));
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#field-justification-error')).toHaveText('this field is required');

  await page.getByLabel('Justification *').fill('Customer follow-ups for the new sales team');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
  await page.getByRole('link', { name: 'Follow it in My requests' }).click();
  const row = page.locator('#my-requests tbody tr').first();
  await expect(row).toContainText('CRM Account');
  await expect(row).toContainText('RUNNING');
});
