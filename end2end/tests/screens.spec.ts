import { test, expect } from '@playwright/test';
import { logIn, expectHydrated, visit } from './support';

const HOSTILE = '<script>window.__xss = 1</script><b id="xss-bold">bold</b><img src=x onerror="window.__xss = 2">';

test('every screen passes axe-core (no serious or critical violation) and is saved as a screenshot', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/login');
  await visit(page, 'login');

  await logIn(page, 'yvonne');
  await visit(page, 'home');
  await page.goto('/catalog');
  await visit(page, 'catalog');
  await page.getByRole('link', { name: 'Request Building Badge' }).click();
  await expectHydrated(page);
  // Past the browser's own checks, so the server's messages show next to the fields.
  await page.locator('form.request-form').evaluate((form: HTMLFormElement) => { form.noValidate = true; });
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('.field-error').first()).not.toBeEmpty();
  await visit(page, 'request-form-with-errors');
  await page.getByLabel('Justification *').fill(HOSTILE);
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
  await page.goto('/requests');
  await visit(page, 'my-requests');
  await page.locator('#my-requests tbody tr', { hasText: 'Building Badge' }).first().getByRole('link').click();
  await visit(page, 'request-detail');
  await page.goto('/delegations');
  await visit(page, 'delegations');

  // carol (yvonne's manager) decides: the hostile text is shown as text, never run.
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'carol');
  await page.goto('/worklist?requester=yvonne');
  await visit(page, 'worklist');
  await page.locator('#worklist tbody tr', { hasText: 'Building Badge' }).first().getByRole('link').first().click();
  await visit(page, 'work-item');
  await expect(page.locator('.facts')).toContainText(HOSTILE);
  await expect(page.locator('#xss-bold')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();

  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'admin');
  await page.goto('/admin');
  await visit(page, 'admin');
});

test('text typed into filters and forms comes back as text, never as markup', async ({ page }) => {
  await logIn(page, 'bob');
  await page.goto(`/worklist?q=${encodeURIComponent(HOSTILE)}&requester=${encodeURIComponent(HOSTILE)}`);
  await expectHydrated(page);
  await expect(page.getByLabel('Search')).toHaveValue(HOSTILE);
  await expect(page.getByLabel('Requester')).toHaveValue(HOSTILE);
  await expect(page.locator('#xss-bold')).toHaveCount(0);
  await page.goto(`/catalog?q=${encodeURIComponent(HOSTILE)}`);
  await expectHydrated(page);
  await expect(page.locator('#q')).toHaveValue(HOSTILE);
  await expect(page.locator('#xss-bold')).toHaveCount(0);
  await page.goto('/delegations');
  await expectHydrated(page);
  await page.getByLabel('Substitute (user name)').fill(HOSTILE);
  await page.getByLabel('From').fill('2030-01-01');
  await page.getByLabel('Until (included)').fill('2030-01-02');
  await page.getByRole('button', { name: 'Delegate' }).click();
  await expect(page.locator('#delegation-result')).toHaveText('Substitute: no such user.');
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'bob');
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
});
