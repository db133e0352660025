import { test, expect } from '@playwright/test';
import { logIn, logInElsewhere, expectHydrated, requestItem } from './support';

function isoDay(offset: number): string {
  const day = new Date(Date.now() + offset * 86_400_000);
  return day.toISOString().slice(0, 10);
}

test('a manager delegates to a colleague, whose worklist then gets the new items and says why', async ({ page, browser }) => {
  test.setTimeout(60_000);
  await logIn(page, 'sybil');
  await page.goto('/delegations');
  await expectHydrated(page);
  await page.getByLabel('Substitute (user name)').fill('sybil');
  await page.getByLabel('From').fill(isoDay(0));
  await page.getByLabel('Until (included)').fill(isoDay(2));
  await page.getByRole('button', { name: 'Delegate' }).click();
  await expect(page.locator('#delegation-result')).toHaveText('Substitute: you cannot stand in for yourself.');
  await page.getByLabel('Substitute (user name)').fill('rupert');
  await page.getByRole('button', { name: 'Delegate' }).click();
  await expect(page.locator('#delegation-result')).toContainText('rupert stands in for you from');
  await expect(page.locator('#my-delegation-list')).toContainText('rupert');
  await expect(page.locator('#my-delegation-list')).toContainText('active');

  // trent (sybil's report) asks for a role; rupert gets the item in sybil's place.
  const trent = await logInElsewhere(browser, 'trent');
  await requestItem(trent, 'Developer', 'delegation test');

  const rupert = await logInElsewhere(browser, 'rupert');
  await rupert.goto('/delegations');
  await expect(rupert.locator('#standing-in-list')).toContainText('sybil');
  await rupert.goto('/worklist?requester=trent');
  await rupert.locator('#worklist tbody tr', { hasText: 'Developer' }).getByRole('link').first().click();
  await expect(rupert.locator('.why-me')).toHaveText('You stand in for sybil.');

  await page.getByRole('button', { name: 'End the delegation to rupert' }).click();
  await expect(page.locator('#delegation-result')).toHaveText('rupert no longer stands in for you.');
  await expect(page.locator('#my-delegation-list')).toHaveText('None.');
});
