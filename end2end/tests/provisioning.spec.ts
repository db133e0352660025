import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { logIn, logInElsewhere, requestItem } from './support';

// The server under test reaches RabbitMQ only when ../dev.sh test was given a broker
// (ASSENT_TEST_AMQP_URL); it passes the broker and the server binary here.
const broker = process.env.ASSENT_AMQP_URL;
const binary = process.env.ASSENT_BIN;

test('approved access is sent to its target system, and the answer shows on the request', async ({ page, browser }) => {
  test.skip(!broker || !binary, 'SKIPPED: no broker (ASSENT_TEST_AMQP_URL) for the browser tests');
  // alice asks for VPN access; two of bob, carol and dave approve (Parallel-Quorum).
  await logIn(page, 'alice');
  await requestItem(page, 'VPN Access', 'Working from the field office');
  const workflowId = (await page.locator('#confirmation').innerText()).match(/[0-9a-f]{32}/)?.[0];
  expect(workflowId).toBeTruthy();

  for (const approver of ['bob', 'carol']) {
    const other = await logInElsewhere(browser, approver);
    await other.goto('/worklist');
    await other.locator('#worklist tr', { hasText: 'alice' }).filter({ hasText: 'VPN Access' }).getByRole('link').first().click();
    await other.getByLabel('Approve').check();
    await other.getByRole('button', { name: 'Submit decision' }).click();
    await expect(other.getByRole('status')).toHaveText('Approved.');
    await other.close();
  }

  // The requester sees where the access went: the VPN gateway, sent to the broker.
  await page.goto(`/requests/${workflowId}`);
  const row = page.locator('#provisioning tbody tr', { hasText: 'VPN gateway' });
  await expect(row).toContainText('Create account');
  await expect(row).toContainText('groups: vpn-users');
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('Sent', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.screenshot({ path: 'test-results/provisioning-sent.png', fullPage: true });

  // The target system answers, as a person playing it would.
  const messageId = await row.getAttribute('data-message-id');
  execFileSync(binary!, ['target-system', 'answer', messageId!, 'done'], {
    env: { ...process.env, ASSENT_AMQP_URL: broker },
  });
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('Confirmed', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.screenshot({ path: 'test-results/provisioning-confirmed.png', fullPage: true });

  // And alice's own view lists the account with what it was asked to hold.
  await page.goto('/access');
  const account = page.locator('#my-access [data-resource="vpn-gateway"]');
  await expect(account).toContainText('VPN gateway');
  await expect(account).toContainText('vpn-users');
});
