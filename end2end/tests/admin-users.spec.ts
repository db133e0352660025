import { test, expect } from '@playwright/test';
import { logIn, logInElsewhere, expectHydrated, visit } from './support';

test('an admin creates an account, moves it, disables someone whose session then ends, and names a substitute', async ({ page, browser }) => {
  test.setTimeout(60_000);
  const username = `pw${Date.now() % 1_000_000}`;
  await logIn(page, 'admin');
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Users: accounts, groups, passwords and delegations' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expectHydrated(page);
  await expect(page.locator('#users tr[data-user=alice]')).toBeVisible();

  // Create an account reporting to bob.
  await page.locator('#create-user summary').click();
  const create = page.locator('#create-user');
  await create.getByLabel('User name', { exact: true }).fill(username);
  await create.getByLabel('Name', { exact: true }).fill('Playwright Person');
  await create.getByLabel('Manager (user name)').fill('bob');
  await create.getByLabel('Department').fill('Finance');
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(page.locator('#create-answer')).toContainText(`${username} was created.`);
  await page.getByLabel('Name, user name or e-mail').fill('Playwright Person');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator(`#users tr[data-user=${username}]`)).toContainText('bob');
  await visit(page, 'admin-users');

  // Its page: move it to dave; a cycle is refused in the directory's words.
  await page.locator(`#users tr[data-user=${username}] a`).click();
  await expectHydrated(page);
  await page.locator('#account-form').getByLabel('Manager (user name)').fill(username);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#user-answers')).toContainText('own manager');
  await page.locator('#account-form').getByLabel('Manager (user name)').fill('dave');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#user-answers')).toContainText(`${username} was changed.`);
  await page.getByLabel('Join a group').fill('auditors');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.locator('#user-groups')).toContainText('auditors');
  await visit(page, 'admin-user');

  // frank is signed in elsewhere; disabling him ends that session at his next click.
  const frank = await logInElsewhere(browser, 'frank');
  await page.goto('/admin/users/frank');
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Disable the account' }).click();
  await expect(page.locator('#user-state')).toHaveText('Disabled');
  await frank.goto('/worklist');
  await expect(frank).toHaveURL(/\/login/);
  await page.getByRole('button', { name: 'Enable the account' }).click();
  await expect(page.locator('#user-state')).toHaveText('Active');

  // A substitute for frank, named by the administrator.
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await page.locator('#user-delegation-form').getByLabel('Substitute (user name)').fill('carol');
  await page.locator('#user-delegation-form').getByLabel('From').fill(day(1));
  await page.locator('#user-delegation-form').getByLabel('Until (included)').fill(day(3));
  await page.getByRole('button', { name: 'Delegate' }).click();
  await expect(page.locator('#user-delegations')).toContainText('carol');
  await visit(page, 'admin-user-frank');
  await page.locator('#user-delegations').getByRole('button', { name: 'End' }).click();
  await expect(page.locator('#user-delegations')).not.toContainText('carol');
});

test('the Users screens refuse a non-admin', async ({ page }) => {
  await logIn(page, 'alice');
  for (const address of ['/admin/users', '/admin/users/bob']) {
    const response = await page.goto(address);
    expect(response?.status(), address).toBe(403);
  }
  const disable = await page.request.post('/app/admin/user-access', {
    form: { username: 'bob', access: 'disable' },
    headers: { 'Sec-Fetch-Site': 'same-origin' },
  });
  expect(disable.status()).toBe(403);
});
