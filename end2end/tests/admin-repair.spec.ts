import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import { logIn, expectHydrated, visit, DEMO_PASSWORD } from './support';

// A REST call to an endpoint no integrations file configures: every workflow of this
// definition waits in error at once. Its own path per run, so runs do not meet.
const DEFINITION_PATH = `Test/Payroll-${Date.now()}`;
const STUCK = `
name = "Payroll sync"
path = "${DEFINITION_PATH}"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "call"

[[activity]]
id = "call"
type = "rest"
endpoint = "payroll"
next = "end"

[[activity]]
id = "end"
type = "finish"
`;

test('an admin finds a workflow waiting in error from the dashboard, reads why, restarts it, and the audit shows it', async ({ page }) => {
  test.setTimeout(60_000);
  await logIn(page, 'admin');
  const deployed = await page.request.post('/app/admin/deploy', {
    form: { file_name: 'payroll.toml', source: STUCK },
    headers: { 'Sec-Fetch-Site': 'same-origin' },
  });
  expect(deployed.status()).toBe(200);
  const basic = 'Basic ' + Buffer.from(`admin:${DEMO_PASSWORD}`).toString('base64');
  const created = await page.request.post('/api/wfs/v1/createInstance', {
    headers: { Authorization: basic },
    data: {
      requestID: 'e2e-stuck',
      definition: { nameFilter: { path: DEFINITION_PATH } },
      subject: { type: 'infoOrder', targetID: 'alice', objectType: 'user' },
      resources: [{ type: 'addOrder', targetID: 'Developer', objectType: 'role' }],
      context: { justification: ['payroll sync check'] },
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  const id: string = (await created.json()).workflowID;

  // The dashboard counts it among what needs attention; its figure leads to the list.
  await expect(async () => {
    await page.goto('/admin');
    await expectHydrated(page);
    const stuck = Number(await page.locator('[data-figure=waiting-in-error] dd').innerText());
    expect(stuck).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });
  await visit(page, 'admin-dashboard');
  await page.locator('[data-figure=waiting-in-error] a').click();
  await expect(page).toHaveURL(/\/admin\/instances\?state=stuck/);
  await expect(page.locator(`#instances tr[data-workflow="${id}"]`)).toBeVisible();
  await visit(page, 'admin-instances');

  // The workflow's page says why it waits.
  await page.locator(`#instances tr[data-workflow="${id}"] a`).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payroll sync');
  await expect(page.locator('#why-stuck')).toContainText('the integrations file configures no endpoint "payroll"');
  await expect(page.locator('#runs tr[data-state="WAIT_IN_ERROR"]')).toHaveCount(1);
  await visit(page, 'admin-instance');

  // A restart without a reason is not sent; with one it is done and audited.
  const restart = page.locator('#runs tr[data-state="WAIT_IN_ERROR"] form');
  await restart.getByRole('button', { name: 'Restart' }).click();
  await expect(page.locator('#repair-answer')).toHaveCount(0);
  await restart.getByLabel('Reason').fill('payroll endpoint fixed');
  await restart.getByRole('button', { name: 'Restart' }).click();
  await expect(page.locator('#repair-answer')).toContainText('The activity was started again.');
  await expect(page.locator('#audit')).toContainText('workflow.activity_restarted');
  await expect(page.locator('#audit')).toContainText('reason: payroll endpoint fixed');
  await visit(page, 'admin-instance-restarted');

  // The call runs again (and fails again: still no endpoint). The page names the
  // version it showed, so it is read again before the next repair.
  await expect(async () => {
    await page.reload();
    await expectHydrated(page);
    await expect(page.locator('#runs tr[data-state="WAIT_IN_ERROR"]')).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // Then it is aborted, with a reason, from the same page.
  await page.getByLabel('Action').selectOption('abort');
  await page.getByLabel('Reason (kept in the audit trail)').fill('payroll retired');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#instance-state')).toHaveText('Aborted');
  await expect(page.locator('#audit')).toContainText('reason: payroll retired');
});

test('an admin searches the audit trail by kind and exports what was found as CSV', async ({ page }) => {
  await logIn(page, 'admin');
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Audit trail: search and export' }).click();
  await expectHydrated(page);
  await page.getByLabel('Kind (e.g. workflow. or login.failed)').fill('login.');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=login\./);
  await expect(page.locator('#audit tbody tr').first()).toContainText('login.succeeded');
  await expect(page.locator('#audit')).not.toContainText('workflow.created');
  await visit(page, 'admin-audit');
  const download = page.waitForEvent('download');
  await page.locator('#audit-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^assent-audit-\d{8}-\d{6}\.csv$/);
  const csv = fs.readFileSync(await file.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe('id,occurred_at,actor,action,detail,workflow_id,request_id');
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((line) => line.includes(',login.'))).toBe(true);
});

test('the workflow screens and their repairs refuse a non-admin, even called directly', async ({ page }) => {
  await logIn(page, 'alice');
  for (const address of ['/admin/instances', '/admin/instances/WF-1']) {
    const response = await page.goto(address);
    expect(response?.status(), address).toBe(403);
  }
  const repair = await page.request.post('/app/admin/repair', {
    form: { id: 'WF-1', version: '1', repair: 'abort', reason: 'mine now' },
    headers: { 'Sec-Fetch-Site': 'same-origin' },
  });
  expect(repair.status()).toBe(403);
});
