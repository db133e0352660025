import { test, expect } from '@playwright/test';
import { logIn, logInElsewhere, expectHydrated } from './support';

test('a pool item is claimed by one member and leaves the others\' worklists without a reload', async ({ page, browser }) => {
  test.setTimeout(60_000);
  // victor keeps his worklist open while trent claims the item.
  const victor = await logInElsewhere(browser, 'victor');
  await victor.goto('/worklist?status=pool');
  await expectHydrated(victor);
  const row = victor.locator('#worklist tbody tr', { hasText: 'VPN full tunnel' });
  await expect(row).toHaveCount(1);
  await expect(row.locator('.tag-pool')).toHaveText('Pool');

  await logIn(page, 'trent');
  await page.goto('/worklist?status=pool');
  await page.locator('#worklist tbody tr', { hasText: 'VPN full tunnel' }).getByRole('link').first().click();
  await expectHydrated(page);
  await expect(page.locator('#claim-status')).toContainText('offered to several people');
  await page.getByRole('button', { name: 'Claim' }).click();
  await expect(page.locator('#claim-status')).toContainText('You claimed this item');

  // victor's list follows by itself: no reload.
  await expect(row).toHaveCount(0, { timeout: 15_000 });
  await expect(victor.locator('.empty-state')).toContainText('No open item matches this filter.');

  await page.getByRole('button', { name: 'Release to the pool' }).click();
  await expect(page.locator('#claim-status')).toContainText('offered to several people');
  await expect(row).toHaveCount(1, { timeout: 15_000 });
});
