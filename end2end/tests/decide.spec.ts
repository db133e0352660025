import { test, expect, Page } from '@playwright/test';
import { logIn, expectHydrated } from './support';

async function openItem(page: Page, item: string) {
  await page.goto('/worklist');
  await page.locator('#worklist tr', { hasText: item }).getByRole('link').click();
  await expectHydrated(page);
}

test('an approver decides with a reason; a stale second decision is refused clearly', async ({ page, browser }) => {
  // niaj asked for the Developer role; dave, his manager, decides.
  await logIn(page, 'dave');
  await openItem(page, 'Developer');
  await expect(page.locator('.why-me')).toHaveText('You are the manager of niaj.');
  await expect(page.locator('.facts')).toContainText('niaj');
  const itemUrl = page.url();

  const second = await browser.newPage();
  await logIn(second, 'dave');
  await second.goto(itemUrl);
  await expectHydrated(second);

  const submit = page.getByRole('button', { name: 'Submit decision' });
  await page.getByLabel('Reject').check();
  await submit.click();
  await expect(page.getByRole('alert')).toHaveText('Please give a reason for rejecting.');

  await page.getByLabel('Reason').fill('Not needed for the role');
  await submit.click();
  await expect(page.getByRole('status')).toHaveText('Rejected.');
  await expect(submit).toHaveCount(0);
  await expect(page.locator('#history')).toContainText('dave rejected (Not needed for the role)');

  // The second tab still shows the old version.
  await second.getByLabel('Approve').check();
  await second.getByRole('button', { name: 'Submit decision' }).click();
  await expect(second.getByRole('alert')).toHaveText('Someone else changed this first. Reload and try again.');
  await second.close();

  // The requester sees the outcome.
  const requester = await browser.newPage();
  await logIn(requester, 'niaj');
  await requester.goto('/requests');
  await expect(requester.locator('#my-requests tbody tr').first()).toContainText('Rejected');
  await requester.close();
});

test('an item is shown only to the people asked', async ({ page }) => {
  await logIn(page, 'dave');
  await openItem(page, 'Cloud Console');
  const itemUrl = page.url();
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'alice');
  const response = await page.goto(itemUrl);
  // Answered as if the item did not exist: nothing is told of other people's work.
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('alert')).toHaveText('This item is not in your worklist.');
});

test('segregation-of-duties conflicts are shown to the approver', async ({ page }) => {
  await logIn(page, 'bob');
  await openItem(page, 'Payroll Administrator');
  await expect(page.locator('.sod-warning')).toContainText('grace already holds Accounts Payable Clerk');
});

test('an approver forwards an item; the new approver sees why it came to them', async ({ page }) => {
  await logIn(page, 'carol');
  await openItem(page, 'Cloud Console');
  await page.getByLabel('Forward to (user name)').fill('olivia');
  await page.getByRole('button', { name: 'Forward' }).click();
  await expect(page.getByRole('alert')).toContainText('Cannot forward to olivia: the requester cannot decide on their own request.');
  await page.getByLabel('Forward to (user name)').fill('walter');
  await page.getByRole('button', { name: 'Forward' }).click();
  await expect(page.getByRole('status')).toHaveText('Forwarded to walter.');
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'walter');
  await openItem(page, 'Cloud Console');
  await expect(page.locator('.why-me')).toHaveText('carol forwarded it to you.');
});
