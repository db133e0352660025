import { test, expect, Page } from '@playwright/test';
import { logIn } from './support';

async function requestItem(page: Page, user: string, item: string) {
  await logIn(page, user);
  await page.goto('/catalog');
  await page.getByRole('link', { name: `Request ${item}` }).click();
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Justification *').fill(`${user} needs it`);
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
  await page.getByRole('button', { name: 'Log out' }).click();
}

test('an approver clears many items at once; items that cannot be bulk-decided are named', async ({ page }) => {
  test.setTimeout(60_000);
  // Three of heidi's people ask for the CRM; heidi also has ivan's certification open.
  for (const user of ['judy', 'mallory', 'ivan']) {
    await requestItem(page, user, 'CRM Account');
  }
  await logIn(page, 'heidi');
  await page.goto('/worklist');
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#worklist tbody tr')).toHaveCount(4);
  await page.getByLabel('Select all items').check();
  await page.getByLabel('Approve').check();
  await page.getByRole('button', { name: 'Apply to selected' }).click();
  await expect(page.locator('#bulk-result')).toContainText('3 decided.');
  await expect(page.locator('#bulk-result li')).toHaveCount(1);
  await expect(page.locator('#worklist tbody tr')).toHaveCount(1);
  await expect(page.locator('#worklist')).toContainText('Access certification');
});
