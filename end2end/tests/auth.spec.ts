import { test, expect } from '@playwright/test';
import {
  logIn,
  logInWithoutScript,
  expectHydrated,
  expectLoggedInAs,
  openRequestForm,
  DEMO_PASSWORD,
  LOGIN_FAILED,
} from './support';

test('a wrong password and an unknown user get the same answer', async ({ page }) => {
  const answers: { status: number; url: string; message: string }[] = [];
  for (const [username, password] of [
    ['alice', 'wrong-password'],
    ['no-such-user', 'wrong-password'],
  ]) {
    await page.goto('/login');
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    await expect(page.getByRole('alert')).toHaveText(LOGIN_FAILED);
    answers.push({
      status: response.status(),
      url: new URL(page.url()).pathname + new URL(page.url()).search,
      message: (await page.getByRole('alert').textContent()) ?? '',
    });
  }
  expect(answers[0]).toEqual(answers[1]);
  expect(answers[0].status).toBe(303);
});

test('logging in shows the portal shell', async ({ page }) => {
  await logIn(page, 'alice');
  await expect(page).toHaveURL(/\/$/);
  await expectLoggedInAs(page, 'Alice Schmidt');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'My requests' })).toBeVisible();
  await expect(nav.getByRole('link', { name: /Worklist/ })).toBeVisible();
  await expect(nav.locator('.badge')).toHaveText('0');
  await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
});

test('admins see the admin area, others are refused by the server', async ({ page }) => {
  await logIn(page, 'admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Recent audit events' })).toBeVisible();
  await expect(page.locator('#directory-figures')).toContainText('Users');

  const other = await page.context().browser()!.newPage();
  await logIn(other, 'alice');
  const response = await other.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(other.getByRole('alert')).toHaveText('This page is for administrators.');
  await other.close();
});

test('an approver sees their open items counted in the navigation', async ({ page }) => {
  // The demo data starts one request of each shipped workflow; four wait for bob.
  await logIn(page, 'bob');
  const worklist = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Worklist/ });
  await expect(worklist.locator('.badge')).toHaveText('4');
  await expect(worklist.locator('.badge')).toHaveAttribute('aria-label', '4 open items');
  await worklist.click();
  const rows = page.locator('#worklist tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(page.locator('#worklist')).toContainText('Approval by the manager');
  await expect(page.locator('#worklist')).toContainText('Finance Analyst');
});

test('a requester follows their request with its state and current step', async ({ page }) => {
  await logIn(page, 'alice');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
  const row = page.locator('#my-requests tbody tr').first();
  await expect(row).toContainText('4-eye approval');
  await expect(row).toContainText('Finance Analyst');
  await expect(row).toContainText('In progress');
  await expect(row).toContainText('Approval by the manager');
});

test('the session survives a reload', async ({ page }) => {
  await logIn(page, 'bob');
  await expectLoggedInAs(page, 'Bob Martin');
  await page.reload();
  await expectLoggedInAs(page, 'Bob Martin');
  await page.goto('/worklist');
  await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible();
});

test('logging out kills the session: the old cookie no longer works', async ({ page, browser }) => {
  await logIn(page, 'carol');
  await expectLoggedInAs(page, 'Carol Nguyen');
  const cookies = await page.context().cookies();
  // `__Host-assent_session` when the portal runs with Secure cookies (behind TLS).
  const session = cookies.find((c) => c.name === 'assent_session' || c.name === '__Host-assent_session');
  expect(session).toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(session!.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await expect(page.getByRole('status')).toHaveText('You have logged out.');

  // Replay the stolen cookie in a fresh browser context.
  const replay = await browser.newContext();
  await replay.addCookies([session!]);
  const replayPage = await replay.newPage();
  await replayPage.goto('/');
  await expect(replayPage).toHaveURL(/\/login$/);
  await replay.close();
});

test('a cross-site POST with a valid cookie is refused', async ({ page, baseURL }) => {
  await logIn(page, 'alice');
  await expectLoggedInAs(page, 'Alice Schmidt');

  // A forged request carrying the victim's cookie, as a cross-site page would send it.
  const forged = await page.context().request.post('/logout', {
    headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://evil.test' },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);

  // And a real cross-site form in the browser, from another origin.
  await page.route('http://evil.test/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<form method="post" action="${baseURL}/logout"></form>
             <script>document.forms[0].submit()</script>`,
    }),
  );
  const refused = page.waitForResponse((r) => r.url() === `${baseURL}/logout`);
  await page.goto('http://evil.test/attack');
  expect((await refused).status()).toBe(403);

  await page.goto('/');
  await expectLoggedInAs(page, 'Alice Schmidt');
});

test('the page hydrates: showing the password works only with the wasm loaded', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/login');
  await expectHydrated(page);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill(DEMO_PASSWORD);
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-pressed', 'true');
  expect(errors).toEqual([]);
});

test('forms work without JavaScript', async ({ browser }) => {
  const page = await logInWithoutScript(browser, 'dave');
  await expectLoggedInAs(page, 'Dave Okafor');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await page.context().close();
});

test('without JavaScript: field errors keep what was typed, a request is confirmed, a decision lands on the worklist', async ({ browser }) => {
  const page = await logInWithoutScript(browser, 'yvonne');
  await openRequestForm(page, 'Building Badge');
  // Blanks pass the browser's required check; the server has the last word.
  await page.getByLabel('Justification *').fill('   ');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.getByRole('alert').first()).toHaveText('Please correct the marked fields.');
  await expect(page.locator('#field-justification-error')).not.toBeEmpty();
  await expect(page.getByLabel('Justification *')).toHaveValue('   ');
  await page.getByLabel('Justification *').fill('no script needed');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f]{32}\?submitted=1$/);
  await expect(page.locator('#confirmation')).toContainText('Your request was submitted. Workflow ID:');
  const workflowId = /requests\/([0-9a-f]{32})/.exec(page.url())![1];
  await page.context().close();

  // carol, yvonne's manager, decides without JavaScript too.
  const carol = await logInWithoutScript(browser, 'carol');
  await carol.goto('/worklist?requester=yvonne');
  await carol.locator(`#worklist tbody tr[data-workflow="${workflowId}"]`).getByRole('link').first().click();
  await carol.getByLabel('Approve').check();
  await carol.getByRole('button', { name: 'Submit decision' }).click();
  await expect(carol).toHaveURL(/\/worklist\?done=approved$/);
  await expect(carol.locator('#form-result')).toHaveText('Approved.');
  // carol also owns the badge, so the owner's step comes to her next.
  await expect(carol.locator(`#worklist tbody tr[data-workflow="${workflowId}"]`)).not.toContainText('manager approval');
  await carol.context().close();
});

test('without JavaScript: a refused request for a report keeps whom it was for', async ({ browser }) => {
  // heidi manages ivan.
  const page = await logInWithoutScript(browser, 'heidi');
  await openRequestForm(page, 'Building Badge');
  await page.locator('#subject').selectOption('ivan');
  await page.getByLabel('Justification *').fill('   ');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.getByRole('alert').first()).toHaveText('Please correct the marked fields.');
  await expect(page.locator('#subject')).toHaveValue('ivan');
  await page.context().close();
});
