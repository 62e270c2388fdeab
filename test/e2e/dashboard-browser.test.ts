// The dashboard in headless Chromium (Debian's package, driven by playwright-core) against a whole
// Baton with workers: sign in, see a stalled handoff flagged, open it, retry a failed step as an admin
// (the worker then finishes the handoff), and a viewer cannot. Screenshots of every page go to
// test-artifacts/. (The README's screenshot is taken from the demo's handoffs: dashboard-truth.test.ts.)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBaton, type Harness } from '../helpers/baton-harness.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { USERS, usersEnv } from '../integration/dashboard/dashboard-client.js';
import { XSS, defaultMapping, seedOne } from '../integration/dashboard/seed-handoffs.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const DAY = 86_400_000;

describe('dashboard in a browser', () => {
  let b: Harness;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    b = await startBaton({ env: { ...(await ownAddressEnv()), BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 's'.repeat(40) } });
    const m = await defaultMapping();
    const now = Date.now();
    ids.stalled = await seedOne(b.rt.store, m, { dealId: '9001', company: 'Stalled Co', amount: '72000', closedAt: new Date(now - 4 * DAY), progress: 'stalled', updatedAt: new Date(now - 3 * DAY) });
    ids.failed = await seedOne(b.rt.store, m, { dealId: '9002', company: 'Failing Ltd', amount: '31000', closedAt: new Date(now - 2 * DAY), progress: 'failed', repEmail: 'ben.rep@baton.example', repName: ['Ben', 'Rep'] });
    ids.hostile = await seedOne(b.rt.store, m, { dealId: '9003', company: `Evil ${XSS}`, dealName: `Deal ${XSS}`, closedAt: new Date(now - 1 * DAY), progress: 'done', drop: ['baton_risks'] });
    for (let i = 0; i < 4; i++) {
      ids[`ok${i}`] = await seedOne(b.rt.store, m, { dealId: String(9100 + i), company: ['Acme Corp', 'Globex', 'Initech', 'Umbrella'][i]!, amount: String(20000 + i * 15000), closedAt: new Date(now - (5 + i * 6) * DAY), progress: 'done', drop: i === 2 ? ['baton_billing_terms', 'baton_payment_schedule'] : [], repEmail: i % 2 ? 'ben.rep@baton.example' : 'sam.rep@baton.example' });
    }
    ids.preparing = await seedOne(b.rt.store, m, { dealId: '9200', company: 'Soon Inc', closedAt: new Date(now), progress: 'preparing', drop: ['baton_scope'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await b?.close();
  });

  async function signIn(who: 'admin' | 'viewer', viewport = { width: 1440, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
    await page.goto(`${b.url.replace('127.0.0.1', '127.0.0.1')}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Name').fill(USERS[who].name);
    await page.getByLabel('Password').fill(USERS[who].password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('shows the sign-in page to anyone not signed in', async () => {
    const page = await browser.newPage();
    await page.goto(`${b.url}/insights`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await expect(page.getByRole('heading', { name: 'Sign in to Baton' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Name').fill('ana');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong name or password');
    await shot(page, 'login');
    await page.close();
  });

  it('signs in, flags the stalled and failed handoffs first, and keeps hostile deal text as text', async () => {
    const page = await signIn('viewer');
    const rows = page.locator('#board tbody tr');
    // Riskiest first: the failed one, then the stalled one.
    await expect(rows.nth(0).getAttribute('data-handoff')).resolves.toBe(ids.failed);
    await expect(rows.nth(1).getAttribute('data-handoff')).resolves.toBe(ids.stalled);
    const stalled = page.locator(`tr[data-handoff="${ids.stalled}"]`);
    await expect(stalled.getAttribute('class')).resolves.toContain('attention');
    await expect(stalled.locator('.badge', { hasText: 'Stalled' }).isVisible()).resolves.toBe(true);
    await expect(stalled.textContent()).resolves.toContain('no progress for 3 days');
    const failed = page.locator(`tr[data-handoff="${ids.failed}"]`);
    await expect(failed.getAttribute('class')).resolves.toContain('failed');
    // The XSS attempt renders as its literal text and runs nothing.
    await expect(page.locator(`tr[data-handoff="${ids.hostile}"] th a`).textContent()).resolves.toBe(`Evil ${XSS}`);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    await expect(page.locator('#board img').count()).resolves.toBe(0);
    // Live refresh is offered once JavaScript runs, and swaps in the fresh list (here: on tab focus).
    await expect(page.locator('#live').isVisible()).resolves.toBe(true);
    const m = await defaultMapping();
    const fresh = await seedOne(b.rt.store, m, { dealId: '9300', company: 'Fresh Failure', closedAt: new Date(), progress: 'failed' });
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await page.locator(`tr[data-handoff="${fresh}"]`).waitFor({ timeout: 10_000 });
    await expect(page.locator('#live-status').textContent()).resolves.toContain('Updated');
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    // Filters work without JavaScript: a plain GET form.
    await page.getByLabel('Sales rep').selectOption('ben.rep@baton.example');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((u) => u.searchParams.get('rep') === 'ben.rep@baton.example');
    const filtered = await page.locator('#board tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-handoff')));
    expect(filtered).toContain(ids.failed);
    expect(filtered).not.toContain(ids.stalled);
    await page.goto(`${b.url}/`);
    await shot(page, 'handoffs');
    // Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.context().close();
  });

  it('opens a handoff: document with missing fields, tasks, steps, audit trail with dry-run records', async () => {
    const page = await signIn('viewer');
    await page.locator(`tr[data-handoff="${ids.stalled}"] th a`).click();
    await page.waitForURL((u) => u.pathname === `/handoffs/${ids.stalled}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Stalled Co');
    await expect(page.getByRole('heading', { name: 'Tasks' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('table[aria-label], [aria-label="Tasks"] tbody tr').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText('Hold the kickoff with Jane').isVisible()).resolves.toBe(true);
    await expect(page.getByText('jira createWork').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Deal in HubSpot' }).getAttribute('href')).resolves.toBe('https://app.hubspot.com/contacts/62515/record/0-3/9001');
    await shot(page, 'handoff');
    await page.goto(`${b.url}/handoffs/${ids.hostile}`);
    await expect(page.locator('dl.doc .missing').count()).resolves.toBeGreaterThan(0);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(XSS);
    await page.goto(`${b.url}/insights`);
    await expect(page.locator('figure.chart svg').count()).resolves.toBeGreaterThanOrEqual(3);
    await shot(page, 'insights');
    // A viewer has no admin page and no retry.
    const admin = await page.goto(`${b.url}/admin`);
    expect(admin?.status()).toBe(403);
    await page.goto(`${b.url}/handoffs/${ids.failed}`);
    await expect(page.getByRole('button', { name: /Retry/ }).count()).resolves.toBe(0);
    // Even a hand-made request with the viewer's own CSRF token is refused.
    const status = await page.evaluate<number>(`(async () => {
      const csrf = document.querySelector('input[name=_csrf]').value;
      const body = new URLSearchParams({ _csrf: csrf, handoffId: ${JSON.stringify(ids.failed)}, stepId: 'create-work' });
      const r = await fetch('/admin/retry', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      return r.status;
    })()`);
    expect(status).toBe(403);
    await page.context().close();
  });

  it('lets an admin retry a failed step; the worker then finishes the handoff', async () => {
    const page = await signIn('admin');
    await page.goto(`${b.url}/admin`);
    await expect(page.getByRole('heading', { name: 'Failed work' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('customfield_10020 is required').first().isVisible()).resolves.toBe(true);
    await shot(page, 'admin');
    await page.goto(`${b.url}/handoffs/${ids.failed}`);
    await page.getByRole('button', { name: 'Retry create-work' }).click();
    await page.waitForURL((u) => u.searchParams.get('retried') === 'create-work');
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Retrying create-work');
    let state = '';
    for (let i = 0; i < 100 && state !== 'done'; i++) {
      await page.waitForTimeout(200);
      const r = await b.api(`/api/handoffs/${ids.failed}`);
      state = r.status;
    }
    expect(state).toBe('done');
    await page.reload();
    await expect(page.locator('.badge', { hasText: 'done' }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText(`ana asked to retry create-work`).isVisible()).resolves.toBe(true);
    // Preview a mapping against pasted deal JSON.
    await page.goto(`${b.url}/admin`);
    await page.getByLabel(/Deal JSON/).fill(JSON.stringify({ crm: 'hubspot', accountId: '1', id: '77', properties: { dealname: `Preview ${XSS}` }, pipelineId: 'default', stageId: 'closedwon', url: null, archived: false, company: null, contacts: [], owner: null }));
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.getByRole('heading', { name: 'Preview a mapping' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Missing:').first().isVisible()).resolves.toBe(true);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    await shot(page, 'admin-preview');
    // Queue health (bull-board) under the admin area, served from Baton itself.
    await page.goto(`${b.url}/admin/queues/`);
    await page.getByText('handoff', { exact: false }).first().waitFor({ timeout: 10_000 });
    await page.waitForFunction("!document.body.innerText.includes('Loading')", undefined, { timeout: 10_000 }).catch(() => undefined);
    await shot(page, 'admin-queues');
    await page.context().close();
  });

  it('reads on a phone', async () => {
    const page = await signIn('viewer', { width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'handoffs-phone');
    await page.context().close();
  });
});
