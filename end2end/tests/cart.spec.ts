import { test, expect } from '@playwright/test';
import { logIn, expectHydrated, openRequestForm } from './support';

test('a cart requests a role and a resource at once; nothing starts while a form has a mistake', async ({ page }) => {
  test.setTimeout(60_000);
  await logIn(page, 'zoe');
  await page.goto('/catalog');
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Add to cart: Developer' }).click();
  await expect(page.locator('#cart-message')).toHaveText('Developer added to your cart.');
  await page.getByRole('button', { name: 'Add to cart: Building Badge' }).click();
  await expect(page.locator('#cart-link')).toHaveText('Cart (2)');
  await page.locator('#cart-link').click();
  await expectHydrated(page);
  await expect(page.locator('fieldset.cart-group')).toHaveCount(2);
  const justifications = page.getByLabel('Justification *');
  await justifications.first().fill('new team');
  await page.locator('#cart-form').evaluate((form: HTMLFormElement) => { form.noValidate = true; });
  await page.getByRole('button', { name: 'Request everything' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Nothing was requested yet.');
  await expect(page.locator('#field-g1_justification-error')).not.toBeEmpty();
  await justifications.nth(1).fill('new team');
  await page.getByRole('button', { name: 'Request everything' }).click();
  await expect(page.locator('#confirmation')).toContainText('submitted as 2 workflows');
  await expect(page.locator('#confirmation li')).toHaveCount(2);
  await expect(page.locator('.empty-state')).toContainText('Your cart is empty.');
  await page.goto('/requests?q=new+team');
  await expect(page.locator('#my-requests tbody tr')).toHaveCount(2);
});

test('a manager requests for a report; the request shows whom it is for', async ({ page }) => {
  await logIn(page, 'dave');
  await openRequestForm(page, 'Building Badge');
  await expectHydrated(page);
  await page.getByLabel('Requested for').selectOption('niaj');
  await page.getByLabel('Justification *').fill('badge for niaj');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
  await page.goto('/requests?q=badge+for+niaj');
  const row = page.locator('#my-requests tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').nth(1)).toHaveText('niaj');
  // Filters: the new request is open, not rejected.
  await page.goto('/requests?q=badge+for+niaj&status=rejected');
  await expect(page.locator('.empty-state')).toContainText('No request matches.');
});
