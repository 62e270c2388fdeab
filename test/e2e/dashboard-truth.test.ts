// The dashboard on the demo's own handoffs (dry-run, sample deals 1001 complete and 1002 missing 7
// fields), in headless Chromium: every state a person reads says what is true and what to do next.
// With UPDATE_SCREENSHOTS=1 the board is also saved as docs/screenshots/handoffs.png (the README's).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { USERS, usersEnv } from '../integration/dashboard/dashboard-client.js';
import { sql } from 'kysely';
import { DEMO_SIGNATURE_VERSIONS, postDemoWebhooks } from '../../src/demo/demo-webhooks.js';
import { checkJobId } from '../../jobs/escalation/check-jobs.js';
import { getCheck } from '../../src/store/escalation-repo.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('the dashboard tells the truth about the demo handoffs', () => {
  let b: Harness;
  let browser: Browser;
  let acme = '';
  let globex = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const address = await ownAddressEnv();
    b = await startBaton({ env: { ...address, BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 's'.repeat(40), HUBSPOT_SIGNATURE_VERSIONS: DEMO_SIGNATURE_VERSIONS } });
    await postDemoWebhooks({ base: b.url, publicUrl: address.BATON_PUBLIC_URL, clientSecret: TEST_SECRET });
    const items = await waitFor(async () => {
      const page = (await b.api('/api/handoffs')) as { items: { id: string; dealId: string; status: string }[] };
      return page.items.filter((h) => h.status === 'done').length === 2 && page.items;
    }, 'both demo handoffs done', 60_000);
    acme = items.find((h) => h.dealId === '1001')!.id;
    globex = items.find((h) => h.dealId === '1002')!.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await b?.close();
  });

  async function signIn(viewport = { width: 1440, height: 900 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${b.url}/`);
    await page.getByLabel('Name').fill(USERS.viewer.name);
    await page.getByLabel('Password').fill(USERS.viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const stateBadge = (page: Page, id: string) => page.locator(`tr[data-handoff="${id}"] .state .badge`);

  it('a done handoff with an incomplete document does not wear the same badge as a complete one, and says what to do', async () => {
    const page = await signIn();
    const incomplete = stateBadge(page, globex);
    await expect(incomplete.textContent()).resolves.toBe('done — document incomplete (7 fields missing)');
    await expect(incomplete.getAttribute('class')).resolves.toContain('warn');
    await expect(stateBadge(page, acme).textContent()).resolves.toBe('done');
    await expect(stateBadge(page, acme).getAttribute('class')).resolves.toContain('ok');
    await expect(page.locator(`tr[data-handoff="${acme}"] td`).first().textContent()).resolves.toBe('€48,000');
    await expect(page.locator(`tr[data-handoff="${globex}"] td`).first().textContent()).resolves.toBe('$12,000');
    await shot(page, 'truth-handoffs');
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: join(process.cwd(), 'docs', 'screenshots', 'handoffs.png') });

    await page.goto(`${b.url}/handoffs/${globex}`);
    const facts = page.locator('#facts-panel');
    await expect(facts.locator('.badge').first().textContent()).resolves.toBe('done — document incomplete (7 fields missing)');
    await expect(facts.textContent()).resolves.toContain('Ask the sales rep (Alex Rep) to fill the 7 missing fields in HubSpot');
    // Deal 1002 carries no currency of its own: its amount is in the mapping's (`currency: USD`), and says so.
    await expect(facts.textContent()).resolves.toContain('Value: $12,000 (mapping currency)');
    await page.context().close();
  });

  it('a skipped step shows its reason where the step is listed', async () => {
    const page = await signIn();
    await page.goto(`${b.url}/handoffs/${globex}`);
    const intro = page.locator('[aria-label="Steps"] tr', { has: page.locator('th', { hasText: 'post-intro' }) });
    await expect(intro.locator('td').nth(2).textContent()).resolves.toContain('no client channel on the deal: the intro was not posted');
    await page.context().close();
  });

  it('an escalation check shows its real state, not a bare "pending"', async () => {
    const page = await signIn();
    await page.goto(`${b.url}/handoffs/${acme}`);
    const rows = page.locator('[aria-label="Escalations"] tbody tr');
    const doc = rows.filter({ has: page.locator('th', { hasText: 'document-incomplete' }) });
    const state = (await doc.locator('td').first().textContent()) ?? '';
    expect(state).not.toMatch(/^pending/);
    expect(state).toMatch(/^Scheduled for \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    // The condition that keeps it quiet, and whether it holds now: the document is complete.
    await expect(doc.textContent()).resolves.toContain('quiet if the document is complete — it is now');
    await page.goto(`${b.url}/handoffs/${globex}`);
    const open = page.locator('[aria-label="Escalations"] tbody tr').filter({ has: page.locator('th', { hasText: 'document-incomplete' }) });
    await expect(open.textContent()).resolves.toContain('quiet if the document is complete — 7 fields are missing now');
    await shot(page, 'truth-handoff-globex');

    // The check comes due on the complete document (its due moment moved to now, its delayed job run now):
    // the worker finds nothing to escalate, and the page says so.
    await sql`update watch_checks set due_at = ${new Date().toISOString()} where handoff_id = ${acme} and trigger_id = 'document-incomplete'`.execute(b.rt.store.db);
    await (await b.rt.queues.watch.getJob(checkJobId({ handoffId: acme, triggerId: 'document-incomplete', rung: 0, round: 0 })))!.promote();
    await waitFor(async () => (await getCheck(b.rt.store, acme, 'document-incomplete'))?.status === 'resolved', 'the check resolved', 20_000);
    await page.goto(`${b.url}/handoffs/${acme}`);
    const resolved = page.locator('[aria-label="Escalations"] tbody tr').filter({ has: page.locator('th', { hasText: 'document-incomplete' }) });
    await expect(resolved.locator('td').first().textContent()).resolves.toMatch(/^Resolved — nothing to escalate/);
    await page.context().close();
  });

  it('facts agree with the document and say things as people read them', async () => {
    const page = await signIn();
    await page.goto(`${b.url}/handoffs/${acme}`);
    const facts = page.locator('#facts-panel');
    const text = (await facts.textContent()) ?? '';
    // The deal's close date (what the document says: "Closed on November 24, 2026"), and the moment the
    // stage change reached Baton labelled as what it is.
    await expect(page.locator('dl.doc dd', { hasText: 'November 24, 2026' }).count()).resolves.toBe(1);
    expect(text).toContain('Close date (deal): 2026-11-24');
    expect(text).toMatch(/Marked won \(stage change received\): \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(text).not.toMatch(/Closed: \d{4}/);
    // The deal type as HubSpot labels it, not its stored value.
    await expect(page.locator('dl.doc dt', { hasText: 'Deal type' }).locator('xpath=following-sibling::dd[1]').textContent()).resolves.toBe('New Business');
    // Amount with its currency.
    expect(text).toContain('Value: €48,000');
    // People by role label.
    const people = (await page.locator('#people-panel').textContent()) ?? '';
    expect(people).toContain('Sales rep: Sam Rep');
    expect(people).toContain('Project lead:');
    expect(people).not.toContain('sales_rep');
    // Dry-run: task status is not tracked, and the page says so instead of "unknown".
    const statuses = await page.locator('[aria-label="Tasks"] tbody tr td:nth-of-type(3)').allTextContents();
    expect(statuses.length).toBe(7);
    for (const s of statuses) expect(s).toBe('not tracked in dry-run (would be created)');
    // A sample deal is no HubSpot record: no link into a real portal.
    await expect(page.locator('a[href*="hubspot.com"]').count()).resolves.toBe(0);
    await expect(page.locator('#links-panel').textContent()).resolves.toContain('Deal in HubSpot: no link — dry-run: this deal was not read from a HubSpot portal');
    await shot(page, 'truth-handoff-acme');
    await page.context().close();
  });

  it('on a phone every cell of the handoffs list is on screen without sideways scrolling', async () => {
    const page = await signIn({ width: 390, height: 844 });
    await shot(page, 'truth-handoffs-phone');
    const cells = page.locator(`tr[data-handoff="${globex}"] > *`);
    expect(await cells.count()).toBe(9);
    for (const cell of await cells.all()) {
      const box = await cell.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    // Each value says what it is (the column headers are not on screen).
    await expect(page.locator(`tr[data-handoff="${globex}"] .state`).evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }).getComputedStyle(el, '::before').content)).resolves.toContain('State');
    await expect(page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).resolves.toBeLessThanOrEqual(0);
    // The handoff's steps, tasks and checks read the same way: the skipped intro's reason is on screen.
    await page.goto(`${b.url}/handoffs/${globex}`);
    const reason = page.locator('[aria-label="Steps"] td', { hasText: 'no client channel on the deal' });
    const box = await reason.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await shot(page, 'truth-handoff-phone');
    await page.context().close();
  });
});
