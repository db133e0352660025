import { test, expect } from '@playwright/test';
import { logIn, expectHydrated, requestItem } from './support';

test('a requester finds an item, gets field errors from the server, and submits', async ({ page }) => {
  await logIn(page, 'zoe');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request access' }).click();
  await page.getByRole('searchbox').fill('crm');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#catalog')).toContainText('CRM Account');
  await expect(page.locator('#catalog')).not.toContainText('VPN Access');
  await page.getByRole('link', { name: 'Request CRM Account' }).click();
  await expectHydrated(page);
  await expect(page.getByRole('heading', { name: 'Request CRM Account' })).toBeVisible();

  // Past the browser's own hints, the server checks every field.
  await page.locator('form.request-form').evaluate((form: HTMLFormElement) => (form.noValidate = true));
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#field-justification-error')).toHaveText('this field is required');

  await page.getByLabel('Justification *').fill('Customer follow-ups for the new sales team');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
  // Once started, the form is gone: a second click cannot file the request twice.
  await expect(page.getByRole('button', { name: 'Submit request' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Follow it in My requests' }).click();
  const row = page.locator('#my-requests tbody tr').first();
  await expect(row).toContainText('CRM Account');
  await expect(row).toContainText('In progress');
});

test('a requester follows the timeline of a request and withdraws it', async ({ page, browser }) => {
  // walter asks for a badge; his manager carol is asked first.
  await logIn(page, 'walter');
  await requestItem(page, 'Building Badge', 'Starting at the head office');
  await page.goto('/requests');
  await page.locator('#my-requests tr', { hasText: 'Building Badge' }).getByRole('link').click();
  await expectHydrated(page);
  await expect(page.locator('#timeline')).toContainText('asked: carol');
  await expect(page.locator('#timeline')).toContainText('due ');
  const url = page.url();

  const outsider = await browser.newPage();
  await logIn(outsider, 'grace');
  const response = await outsider.goto(url);
  // Someone else's request answers like one that does not exist.
  expect(response?.status()).toBe(404);
  await outsider.close();

  await page.getByRole('button', { name: 'Withdraw request' }).click();
  await expect(page.getByRole('status')).toHaveText('Your request was withdrawn.');
  await expect(page.locator('#request-state')).toHaveText('Withdrawn');
  await expect(page.getByRole('button', { name: 'Withdraw request' })).toHaveCount(0);
});
