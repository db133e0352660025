import { test, expect, Browser, Page } from '@playwright/test';
import { logIn, logInElsewhere, expectHydrated, requestItem } from './support';

async function requestAs(page: Page, user: string, item: string) {
  await logIn(page, user);
  await requestItem(page, item, `${user} needs it`);
  await page.getByRole('button', { name: 'Log out' }).click();
}

test('an approver clears many items at once; items that cannot be bulk-decided are named', async ({ page }) => {
  test.setTimeout(60_000);
  // Three of heidi's people ask for the CRM; heidi also has ivan's certification open.
  for (const user of ['judy', 'mallory', 'ivan']) {
    await requestAs(page, user, 'CRM Account');
  }
  await logIn(page, 'heidi');
  await page.goto('/worklist');
  await expectHydrated(page);
  await expect(page.locator('#worklist tbody tr')).toHaveCount(4);
  await page.getByRole('button', { name: 'Select page' }).click();
  await page.getByRole('button', { name: 'Mark selected: approve' }).click();
  await expect(page.locator('#marked-count')).toHaveText('4 to approve, 0 to reject');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#bulk-result')).toContainText('3 decided.');
  // The certification is decided on its own page; bulk approval names it with its code.
  await expect(page.locator('#bulk-result li')).toHaveCount(1);
  await expect(page.locator('#bulk-result li')).toHaveAttribute('data-error-code', '11');
  await expect(page.locator('#worklist tbody tr')).toHaveCount(1);
  await expect(page.locator('#worklist')).toContainText('Access certification');
});

/** Starts `count` requests for `item` as the logged-in user, the way the request form posts. */
async function submitRequests(page: Page, baseURL: string, itemName: string, count: number, justification: string) {
  await page.goto('/catalog');
  const href = await page.getByRole('link', { name: `Request ${itemName}` }).getAttribute('href');
  const itemId = href!.split('/')[2];
  for (let i = 0; i < count; i++) {
    const response = await page.request.post('/app/submit-request', {
      headers: { origin: baseURL },
      form: { item_id: itemId, 'fields[justification][]': `${justification} ${i}` },
    });
    expect(response.status()).toBe(200);
  }
}

/** sybil starts `count` requests; erin, who decides them, opens her worklist at `worklist`. */
async function erinOpens(page: Page, browser: Browser, baseURL: string, count: number, justification: string, worklist: string) {
  await logIn(page, 'sybil');
  await submitRequests(page, baseURL, 'Finance Analyst', count, justification);
  const erin = await logInElsewhere(browser, 'erin');
  await erin.goto(worklist);
  await expectHydrated(erin);
  return erin;
}

test.describe.serial('erin clears sybil\'s requests', () => {
  test('bulk decision over 200 items: some rejected with a reason, all others approved across pages', async ({ page, baseURL, browser }) => {
    test.setTimeout(180_000);
    const erin = await erinOpens(page, browser, baseURL!, 200, 'quarter close', '/worklist?requester=sybil');
    await expect(erin.locator('#worklist-count')).toHaveText('200 open items · page 1 of 4');
    await expect(erin.locator('#worklist tbody tr')).toHaveCount(50);
    // Rows 1 to 10 by click and shift-click, marked for rejection.
    const boxes = erin.locator('#worklist tbody .row-select');
    await boxes.nth(0).click();
    await boxes.nth(9).click({ modifiers: ['Shift'] });
    await erin.getByRole('button', { name: 'Mark selected: reject' }).click();
    // Page 2 keeps the marks of page 1; two more rejections there.
    await erin.getByRole('link', { name: 'Next →' }).click();
    await expect(erin.locator('#worklist-count')).toHaveText('200 open items · page 2 of 4');
    await erin.locator('#worklist tbody .row-decision').nth(0).selectOption({ label: 'Reject' });
    await erin.locator('#worklist tbody .row-decision').nth(1).selectOption({ label: 'Reject' });
    await expect(erin.locator('#marked-count')).toHaveText('0 to approve, 12 to reject');
    await erin.getByLabel('All 200 items matching the filter').selectOption('approve');
    await erin.getByLabel('Reason for the rejections').fill('not this quarter');
    await erin.getByLabel('Reason for the approvals').fill('quarter close ok');
    await erin.getByRole('button', { name: 'Apply' }).click();
    await expect(erin.locator('#bulk-result')).toContainText('200 decided.', { timeout: 120_000 });
    await expect(erin.locator('#bulk-result li')).toHaveCount(0);
    await expect(erin.locator('.empty-state')).toContainText('No open item matches this filter.');

    // The rejections reach the requester, with the reason on the timeline.
    await page.goto('/requests');
    await expect(page.locator('#my-requests tbody tr', { hasText: 'Rejected' })).toHaveCount(12);
    await expect(page.locator('#my-requests tbody tr', { hasText: 'Approved' })).toHaveCount(188);
    await page.locator('#my-requests tbody tr', { hasText: 'Rejected' }).first().getByRole('link').click();
    await expect(page.locator('#timeline')).toContainText('not this quarter');
  });

  test('keyboard-only bulk approval, with the shortcuts listed on ?', async ({ page, baseURL, browser }) => {
    test.setTimeout(60_000);
    const erin = await erinOpens(page, browser, baseURL!, 3, 'keyboard', '/worklist?q=keyboard');
    await expect(erin.locator('#worklist tbody tr')).toHaveCount(3);
    await erin.keyboard.press('?');
    await expect(erin.locator('#shortcuts')).toBeVisible();
    await expect(erin.locator('#shortcuts')).toContainText('mark the selected items (or this one) to approve');
    await erin.keyboard.press('Escape');
    await expect(erin.locator('#shortcuts')).toBeHidden();
    // Select the first, extend to the third with shift-x, approve them, apply.
    await erin.keyboard.press('j');
    await erin.keyboard.press('x');
    await erin.keyboard.press('j');
    await erin.keyboard.press('j');
    await erin.keyboard.press('Shift+X');
    await erin.keyboard.press('a');
    await expect(erin.locator('#marked-count')).toHaveText('3 to approve, 0 to reject');
    await expect(erin.locator('#worklist tbody tr.marked-approve')).toHaveCount(3);
    await erin.keyboard.press('s');
    await expect(erin.locator('#bulk-apply')).toBeFocused();
    await erin.keyboard.press('Enter');
    await expect(erin.locator('#bulk-result')).toContainText('3 decided.');
    await expect(erin.locator('.empty-state')).toBeVisible();
  });
});
