import { expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = process.env.ASSENT_DEMO_PASSWORD ?? 'assent-demo';
export const LOGIN_FAILED = 'The user name or password is incorrect.';

export async function logIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function expectLoggedInAs(page: Page, displayName: string) {
  await expect(page.locator('.user-name')).toHaveText(displayName);
}
