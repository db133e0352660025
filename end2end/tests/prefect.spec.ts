import { test, expect, Page } from '@playwright/test';
import { expectAccessible, logIn, logInElsewhere, requestItem } from './support';

// ../dev.sh test starts a Prefect server with examples/prefect/flows.py and gives the
// server under test an integrations file naming it (ASSENT_E2E_PREFECT says so).
const prefect = process.env.ASSENT_E2E_PREFECT;

/** Reloads `page` until `check` passes: the hand-off and Prefect's run act on their own. */
async function reloadUntil(page: Page, check: () => Promise<void>, timeout = 60_000) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout });
}

test('an approved Shared Mailbox is made by Prefect; the request shows the hand-off, the result and the time taken', async ({ page, browser }) => {
  test.skip(!prefect, 'SKIPPED: no Prefect for the browser tests (ASSENT_TEST_PREFECT_URL)');
  test.setTimeout(120_000);
  const tag = `${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;

  // zoe asks for a mailbox; her manager olivia approves it (no other spec counts
  // olivia's worklist).
  await logIn(page, 'zoe');
  await requestItem(page, 'Shared Mailbox', `mailbox for project ${tag}`);
  const workflowId = (await page.locator('#confirmation').innerText()).match(/[0-9a-f]{32}/)?.[0];
  expect(workflowId).toBeTruthy();

  const olivia = await logInElsewhere(browser, 'olivia');
  await olivia.goto('/worklist');
  const item = olivia.locator(`#worklist tbody tr[data-workflow="${workflowId}"]`);
  await expect(item).toContainText('Shared Mailbox');
  await item.getByRole('link').first().click();
  await olivia.getByLabel('Approve').check();
  await olivia.getByRole('button', { name: 'Submit decision' }).click();
  await expect(olivia.getByRole('button', { name: 'Submit decision' })).toHaveCount(0);
  await olivia.context().close();

  // Prefect's create-mailbox flow runs and calls back; the request goes on with its answer.
  await page.goto(`/requests/${workflowId}`);
  const timeline = page.locator('#timeline');
  await reloadUntil(page, () => expect(timeline).toContainText('completed after', { timeout: 1000 }));
  await expect(timeline).toContainText('handed off to prefect: create-mailbox/assent (run ');
  await expect(timeline).toContainText('(by callback); result:');
  await expect(timeline).toContainText('zoe@mail.example.com');
  await expect(timeline).toContainText(/completed after \d+\.\d s/);
  await expect(page.locator('#request-state')).toContainText(/Approved|Accepted/);
  await page.screenshot({ path: 'test-results/prefect-handoff.png', fullPage: true });
  await expectAccessible(page, 'request with a hand-off');

  // The administrators' page shows the engine up, with nothing waiting.
  const admin = await logInElsewhere(browser, 'admin');
  await admin.goto('/admin');
  const engine = admin.locator('#engines tbody tr', { hasText: 'prefect' });
  await reloadUntil(admin, () => expect(engine.locator('td').nth(2)).toHaveText('up', { timeout: 1000 }), 20_000);
  await expect(engine.locator('td').nth(3)).toHaveText('0');
  await admin.screenshot({ path: 'test-results/prefect-admin.png', fullPage: true });
  await admin.context().close();
});
