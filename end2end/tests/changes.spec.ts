import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccessible, logIn, logInElsewhere, openRequestForm } from './support';

// Change events travel on RabbitMQ: the server under test reads them only when
// ../dev.sh test was given a broker (ASSENT_TEST_AMQP_URL); it passes the broker, the
// server binary and this run's queue (ASSENT_AMQP_CHANGES_QUEUE) here.
const broker = process.env.ASSENT_AMQP_URL;
const binary = process.env.ASSENT_BIN;

/** One source system of this run: its own name, its events numbered 1, 2, 3, ... */
class Source {
  readonly name = `hr-${randomUUID().slice(0, 8)}`;
  private sequence = 0;

  /** The next event of this source, with the fields of examples/changes/*.jsonl. */
  event(kind: 'create' | 'modify' | 'delete', objectKey: string, attributes?: Record<string, string[]>) {
    this.sequence += 1;
    return {
      eventId: randomUUID(),
      source: this.name,
      sequence: this.sequence,
      kind,
      objectClass: 'user',
      objectKey,
      ...(attributes ? { attributes } : {}),
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }

  /** Sends `events` as a person would: a file of them, through `assent change-events publish`. */
  publish(...events: object[]) {
    const folder = mkdtempSync(join(tmpdir(), 'assent-changes-'));
    const file = join(folder, 'events.jsonl');
    try {
      writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      execFileSync(binary!, ['change-events', 'publish', file], {
        env: { ...process.env, ASSENT_AMQP_URL: broker },
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

/** Reloads `page` until `check` passes: the consumer and the jobs after it act on their own. */
async function reloadUntil(page: Page, check: () => Promise<void>, timeout = 20_000) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout });
}

test('identity changes from HR move the approvals; a broken event stops the stream until an administrator skips it', async ({ page, browser, baseURL }) => {
  test.skip(!broker || !binary, 'SKIPPED: no broker (ASSENT_TEST_AMQP_URL) for the browser tests');
  test.setTimeout(150_000);
  const hr = new Source();
  const tag = `${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
  // Every person this test hires is new, so it can run again against the same server;
  // the demo people whose worklists it watches (frank, peggy) are counted by no other spec.
  const nina = `nina${tag}`;
  const manager = `mgr${tag}`;

  await logIn(page, 'admin');
  try {
    // 1. Hire: HR creates nina in Finance, reporting to frank. Once she exists, the
    // administrator asks a role for her; her manager frank is asked.
    hr.publish(
      hr.event('create', nina, {
        displayName: [`Nina Berger ${tag}`],
        email: [`${nina}@example.com`],
        title: ['Accountant'],
        manager: ['frank'],
        department: ['Finance'],
        enabled: ['true'],
      }),
    );
    await openRequestForm(page, 'HR Records Viewer');
    await reloadUntil(page, () => expect(page.locator(`#subject option[value="${nina}"]`)).toHaveCount(1, { timeout: 1000 }));
    await page.getByLabel('Requested for').selectOption(nina);
    await page.getByLabel('Justification *').fill(`records for the new hire ${tag}`);
    await page.getByRole('button', { name: 'Submit request' }).click();
    await expect(page.locator('#confirmation')).toContainText('Workflow ID:');
    const workflowId = (await page.locator('#confirmation').innerText()).match(/[0-9a-f]{32}/)?.[0];
    expect(workflowId).toBeTruthy();
    const requestPage = `/requests/${workflowId}`;

    const frank = await logInElsewhere(browser, 'frank');
    await frank.goto('/worklist');
    const franksItem = frank.locator(`#worklist tbody tr[data-workflow="${workflowId}"]`);
    await reloadUntil(frank, () => expect(franksItem).toContainText(nina, { timeout: 1000 }), 15_000);

    // 2. Move: HR hires a manager in Sales (reporting to peggy) and moves nina under
    // them. The waiting approval leaves frank and asks the new manager.
    hr.publish(
      hr.event('create', manager, {
        displayName: [`Mara Graf ${tag}`],
        email: [`${manager}@example.com`],
        title: ['Sales Lead'],
        manager: ['peggy'],
        department: ['Sales'],
        enabled: ['true'],
      }),
      hr.event('modify', nina, { manager: [manager], department: ['Sales'], title: ['Sales Representative'] }),
    );
    await reloadUntil(frank, () => expect(franksItem).toHaveCount(0, { timeout: 1000 }));
    await page.goto(requestPage);
    await reloadUntil(page, () => expect(page.locator('#timeline')).toContainText(manager, { timeout: 1000 }));
    await frank.context().close();

    // 3. Leaver: the new manager leaves (disabled, never erased); their open item goes
    // on to their own manager, peggy, as an escalation would.
    const peggy = await logInElsewhere(browser, 'peggy');
    await peggy.goto('/worklist');
    const peggysItem = peggy.locator(`#worklist tbody tr[data-workflow="${workflowId}"]`);
    await expect(peggysItem).toHaveCount(0);
    hr.publish(hr.event('delete', manager));
    await reloadUntil(peggy, () => expect(peggysItem).toContainText(nina, { timeout: 1000 }));
    // peggy can decide it, and does: the request ends instead of waiting on her list.
    await peggysItem.getByRole('link').first().click();
    await peggy.getByLabel('Approve').check();
    await peggy.getByRole('button', { name: 'Submit decision' }).click();
    await expect(peggy.getByRole('button', { name: 'Submit decision' })).toHaveCount(0);
    await peggy.context().close();
    await page.goto(requestPage);
    await expect(page.locator('#timeline')).toContainText('peggy approved');

    // 4. A broken event: nina's new manager does not exist. The stream stops on it and
    // the event after it waits; the administrator sees why and skips it.
    const broken = hr.event('modify', nina, { manager: [`nobody-${tag}`] });
    const after = hr.event('modify', nina, { title: ['Senior Sales Representative'] });
    hr.publish(broken, after);
    await page.goto('/admin');
    await page.getByRole('link', { name: 'Change events: identity changes from HR and other sources' }).click();
    await expect(page.getByRole('heading', { name: 'Change events', level: 1 })).toBeVisible();
    const stop = page.getByRole('region', { name: `${hr.name} stopped` });
    await reloadUntil(page, () => expect(stop).toBeVisible({ timeout: 1000 }));
    await expect(stop.locator('.stop-reason')).toHaveText(`unknown manager nobody-${tag}`);
    await expect(stop).toContainText(broken.eventId);
    await expect(stop.locator('.event-payload')).toContainText(`"nobody-${tag}"`);
    await expect(page.locator('#consumer-status')).toHaveText('Stopped: an event cannot be applied and waits for an administrator.');
    const row = page.locator(`#change-sources tr[data-source="${hr.name}"]`);
    await expect(row.locator('.state')).toHaveText('Stopped');
    await expect(row.locator('.last-sequence')).toHaveText(String(broken.sequence - 1));
    await page.screenshot({ path: 'test-results/changes-stopped.png', fullPage: true });
    await expectAccessible(page, 'change events, stopped');

    await stop.getByLabel('Why skip it?').fill('HR typed a manager who does not exist; fixed in HR');
    await stop.getByRole('button', { name: 'Skip event' }).click();
    // The hydrated page follows the consumer by itself; without it, a reload shows it.
    if ((await page.locator('.app').getAttribute('data-hydrated')) === 'true') {
      await expect(row.locator('.state')).toHaveText('Running', { timeout: 15_000 });
    } else {
      // Running comes first (the skip), the next event's sequence a moment later (the consumer).
      await reloadUntil(page, async () => {
        await expect(row.locator('.state')).toHaveText('Running', { timeout: 1000 });
        await expect(row.locator('.last-sequence')).toHaveText(String(after.sequence), { timeout: 1000 });
      });
    }
    await expect(row.locator('.last-sequence')).toHaveText(String(after.sequence));
    await expect(stop).toHaveCount(0);
    const skipped = page.locator(`#set-aside tr[data-event="${broken.eventId}"]`);
    await expect(skipped).toContainText('Skipped');
    await expect(skipped).toContainText(`unknown manager nobody-${tag}`);
    await expect(skipped).toContainText(hr.name);
    await page.screenshot({ path: 'test-results/changes-resumed.png', fullPage: true });

    // The source's policy: park bad events instead of stopping, and back.
    await page.goto('/admin/changes');
    await row.getByRole('button', { name: `Park bad events instead: ${hr.name}` }).click();
    await expect(row.locator('.policy')).toHaveText('Park the event');
    await row.getByRole('button', { name: `Stop on bad events: ${hr.name}` }).click();
    await expect(row.locator('.policy')).toHaveText('Stop the stream');
  } finally {
    // A stream this test left stopped would hold up every later event on the queue.
    await page.request.post('/app/changes_skip', {
      headers: { origin: baseURL! },
      form: { source: hr.name, note: 'left stopped by a failed browser test' },
    });
  }
});
