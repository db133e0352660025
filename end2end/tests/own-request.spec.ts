import { test, expect } from '@playwright/test';
import { logIn, logInElsewhere, requestItem } from './support';

test('a requester cannot approve their own request by any path', async ({ page, baseURL, browser }) => {
  await logIn(page, 'rupert');
  await requestItem(page, 'Building Badge', 'my own badge');
  const confirmation = await page.locator('#confirmation').textContent();
  const workflowId = /Workflow ID: ([0-9a-f]{32})/.exec(confirmation!)![1];
  // The approver's worklist tells which activity run waits.
  const carol = await logInElsewhere(browser, 'carol');
  await carol.goto('/worklist?requester=rupert');
  const href = await carol.locator(`#worklist tbody tr[data-workflow="${workflowId}"]`).getByRole('link').first().getAttribute('href');
  expect(href).toContain(workflowId);
  const run = href!.split('/')[3];
  const sameOrigin = { origin: baseURL! };

  // The item page.
  await page.goto(`/worklist/${workflowId}/${run}`);
  await expect(page.getByRole('alert')).toHaveText('This item is not in your worklist.');
  // The decide server function, called directly.
  const decide = await page.request.post('/app/decide', {
    headers: sameOrigin,
    form: { workflow_id: workflowId, run, version: '1', approve: 'true' },
  });
  expect(decide.status()).toBe(403);
  // Bulk approval names it with the participant error code and decides nothing.
  const bulk = await page.request.post('/app/bulk-decide', {
    headers: sameOrigin,
    form: { 'marks[]': `a:${workflowId}:${run}` },
  });
  expect(bulk.status()).toBe(200);
  const outcome = await bulk.json();
  expect(outcome.decided).toBe(0);
  expect(outcome.failed[0].error_code).toBe(30);
  // Claiming and forwarding to oneself.
  const claim = await page.request.post('/app/claim', {
    headers: sameOrigin,
    form: { workflow_id: workflowId, run, claim: 'true' },
  });
  expect(claim.status()).toBe(403);
  // The request is still waiting for carol.
  await page.goto(`/requests/${workflowId}`);
  await expect(page.locator('#timeline')).toContainText('asked: carol');
  await expect(page.locator('.app')).not.toContainText('approved by rupert');
});
