import { test, expect } from '@playwright/test';
import { logIn, expectHydrated, visit, DEMO_PASSWORD } from './support';

const basic = (user: string) => 'Basic ' + Buffer.from(`${user}:${DEMO_PASSWORD}`).toString('base64');

test('an admin replays a decided workflow step by step on its graph', async ({ page }) => {
  test.setTimeout(60_000);
  // Through the API first, before the browser holds an administrator's session.
  const created = await page.request.post('/api/wfs/v1/createInstance', {
    headers: { Authorization: basic('admin') },
    data: {
      requestID: `e2e-replay-${Date.now()}`,
      definition: { nameFilter: { path: 'My-Company/Approval/4-Eye-Approval' } },
      subject: { type: 'infoOrder', targetID: 'frank', objectType: 'user' },
      resources: [{ type: 'addOrder', targetID: 'Developer', objectType: 'role' }],
      context: { justification: ['replay check'] },
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  const id: string = (await created.json()).workflowID;
  const decided = await page.request.post('/api/wfs/v1/bulkApproval', {
    headers: { Authorization: basic('bob') },
    data: { accept: { workflowID: [id] } },
  });
  expect(decided.status(), await decided.text()).toBe(200);
  expect(await decided.json()).toEqual({ failed: [] });
  await logIn(page, 'admin');

  // The inspector draws the definition with where the workflow has been.
  await page.goto(`/admin/instances/${id}`);
  await expectHydrated(page);
  await expect(page.locator('#instance-graph [data-activity=manager_approval]')).toHaveClass(/visited/);
  await expect(page.locator('#instance-graph [data-activity=rejected]')).toHaveClass(/untouched/);
  await visit(page, 'admin-instance-graph');

  // The replay starts at the last step; the first shows bob asked, and why.
  await page.locator('#replay-link').click();
  await expect(page).toHaveURL(new RegExp(`/admin/instances/${id}/replay`));
  await expectHydrated(page);
  await page.getByRole('link', { name: 'First' }).click();
  await expect(page).toHaveURL(/step=1/);
  await expect(page.locator('#replay-position')).toHaveText(/^Step 1 of [23]$/);
  await expect(page.locator('#replay-step')).toContainText('workflow.created');
  await expect(page.locator('#replay-asked')).toContainText('bob');
  await expect(page.locator('#replay-asked')).toContainText('manager');
  await expect(page.locator('#replay-graph [data-activity=manager_approval]')).toHaveClass(/current/);
  await visit(page, 'admin-replay-step-1');

  // One step on: bob's decision, the approval ended, the flowdata that changed.
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/step=2/);
  await expect(page.locator('#replay-step')).toContainText('bob');
  await expect(page.locator('#replay-decisions')).toContainText('bob approve');
  await expect(page.locator('#replay-ended')).toContainText('Approval by the manager');
  await expect(page.locator('#replay-flowdata')).toContainText('changed');
  await expect(page.locator('#replay-graph [data-activity=manager_approval]')).toHaveClass(/visited/);
  await expect(page.locator('#replay-timeline a[aria-current=step]')).toContainText('bob');
  await visit(page, 'admin-replay-step-2');
});

const DRY_PATH = `Test/Dry-Run-${Date.now()}`;
const version = (afterManager: string) => `
name = "Dry run check"
path = "${DRY_PATH}"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "manager_approval"

[[activity]]
id = "manager_approval"
type = "approval"
title = { en = "Manager approves", de = "Vorgesetzter genehmigt" }
participants = { manager_of = "subject" }
on_approve = "${afterManager}"
on_reject = "end"
${afterManager === 'owner_approval' ? `
[[activity]]
id = "owner_approval"
type = "approval"
title = { en = "Owner approves", de = "Eigentümer genehmigt" }
participants = { resource_owner = true }
on_approve = "end"
on_reject = "end"
` : ''}
[[activity]]
id = "end"
type = "finish"
`;

test('an admin compares two versions of a definition and dry-runs a changed text', async ({ page }) => {
  test.setTimeout(60_000);
  await logIn(page, 'admin');
  for (const [index, text] of [version('end'), version('owner_approval')].entries()) {
    const deployed = await page.request.post('/app/admin/deploy', {
      form: { file_name: 'dry-run.toml', source: text },
      headers: { 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(deployed.status(), await deployed.text()).toBe(200);
    expect((await deployed.json()).version).toBe(index + 1);
  }

  await page.goto('/admin');
  await expectHydrated(page);
  await page.locator('#definitions').getByRole('link', { name: DRY_PATH }).click();
  await expect(page).toHaveURL(/\/admin\/definition\?path=/);
  await expectHydrated(page);
  await expect(page.locator('#versions tbody tr')).toHaveCount(2);
  await expect(page.locator('#definition-graph [data-activity=owner_approval]')).toBeVisible();
  await page.getByRole('link', { name: 'changes since v1' }).click();
  await expect(page.locator('#diff-summary')).toHaveText('From v1 to v2: 8 lines added, 0 removed.');
  await expect(page.locator('#diff .diff-added').first()).toContainText('owner_approval');
  await visit(page, 'admin-definition-diff');

  // Rehearse the newest text on a typed request: frank asks for Payroll Administrator.
  await page.getByLabel('Requester (user name)').fill('frank');
  await page.getByLabel('Item', { exact: true }).fill('Payroll Administrator');
  await page.getByRole('button', { name: 'Rehearse' }).click();
  const results = page.locator('#dry-run-results');
  await expect(results).toContainText('Rehearsed: nothing was stored or sent.');
  await expect(results.locator('.rehearsal-state')).toHaveText('Succeeded');
  await expect(results.locator('.rehearsal-steps')).toContainText('Manager approves');
  await expect(results.locator('.rehearsal-steps')).toContainText('bob (rule: manager of frank)');
  await expect(results.locator('.rehearsal-steps')).toContainText('Owner approves');
  await expect(results.locator('#rehearsal-graph [data-activity=owner_approval]')).toHaveClass(/visited/);
  await visit(page, 'admin-dry-run');

  // Rejecting ends after the manager: the owner is never asked.
  await page.getByLabel('rejects').check();
  await page.getByRole('button', { name: 'Rehearse' }).click();
  await expect(results.locator('#rehearsal-graph [data-activity=owner_approval]')).toHaveClass(/untouched/);
  // Nothing of it was started.
  const found = await page.request.post('/api/wfs/v1/listInstances', {
    headers: { Authorization: basic('admin') },
    data: { definition: { nameFilter: { path: DRY_PATH } } },
  });
  expect(JSON.stringify(await found.json())).not.toContain('rehearsal');
});
