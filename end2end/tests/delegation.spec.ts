import { test, expect } from '@playwright/test';
import { logIn } from './support';

function isoDay(offset: number): string {
  const day = new Date(Date.now() + offset * 86_400_000);
  return day.toISOString().slice(0, 10);
}

test('a manager delegates to a colleague, whose worklist then gets the new items and says why', async ({ page, browser }) => {
  test.setTimeout(60_000);
  await logIn(page, 'sybil');
  await page.goto('/delegations');
  await expect(page.locator('.app')).toHaveAttribute('data-hydrated', 'true');
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
  const trent = await (await browser.newContext()).newPage();
  await logIn(trent, 'trent');
  await trent.goto('/catalog');
  await trent.getByRole('link', { name: 'Request Developer' }).click();
  await expect(trent.locator('.app')).toHaveAttribute('data-hydrated', 'true');
  await trent.getByLabel('Justification *').fill('delegation test');
  await trent.getByRole('button', { name: 'Submit request' }).click();
  await expect(trent.locator('#confirmation')).toContainText('Workflow ID:');

  const rupert = await (await browser.newContext()).newPage();
  await logIn(rupert, 'rupert');
  await rupert.goto('/delegations');
  await expect(rupert.locator('#standing-in-list')).toContainText('sybil');
  await rupert.goto('/worklist?requester=trent');
  await rupert.locator('#worklist tbody tr', { hasText: 'Developer' }).getByRole('link').first().click();
  await expect(rupert.locator('.why-me')).toHaveText('You stand in for sybil.');

  await page.getByRole('button', { name: 'End the delegation to rupert' }).click();
  await expect(page.locator('#delegation-result')).toHaveText('rupert no longer stands in for you.');
  await expect(page.locator('#my-delegation-list')).toHaveText('None.');
});
