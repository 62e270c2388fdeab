// A mapping whose template cannot render for a deal (live connectors on the stand-ins): the event is not
// lost to a dead-lettered route job. The handoff exists, failed, naming mapping, template key and field, on
// the board and on the admin page; after the admin fixes the mapping (a restart loads it) and presses
// Retry, it is built again and runs. Templates see their handoff's own page as `handoff_url`, and inbox
// events whose route job Redis lost are swept back into routing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { DashboardClient, USERS, usersEnv } from '../integration/dashboard/dashboard-client.js';
import { getInboxEvent, insertInboxEvents } from '../../src/store/inbox-repo.js';
import { parseHubSpotWebhook } from '../../connectors/hubspot/parse-webhook.js';

const DEFAULT = await readFile('mappings/default.yaml', 'utf8');
const KICKOFF_DESCRIPTION = `description: "Client target for kickoff: {{ deal.baton_kickoff_target | default: 'not given' }}."`;
/** A template that renders only small deals: doubling the deal name 30 times runs out of liquidjs' memory budget. */
const HEAVY = `"{% assign s = deal.dealname %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}"`;

function mapping(summaryTemplate: string): string {
  const text = DEFAULT.replace(
    '      - { label: Deal type, field: deal.dealtype }\n',
    `      - { label: Deal type, field: deal.dealtype }\n      - label: Name length\n        value: ${summaryTemplate}\n`,
  ).replace(KICKOFF_DESCRIPTION, `description: "Handoff page: {{ handoff_url }}"`);
  if (text === DEFAULT || !text.includes('Name length') || !text.includes('{{ handoff_url }}')) throw new Error('default.yaml changed: adjust the test');
  return text;
}

describe('a mapping that cannot render for a deal (live connectors, stand-ins)', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let dir: string;
  let env: Record<string, string>;
  let b: Harness | undefined;
  let running: string | undefined;
  const admin = async (h: Harness) => {
    const c = new DashboardClient(h.url);
    expect((await c.login(USERS.admin.name, USERS.admin.password)).status).toBe(303);
    return c;
  };
  /** A Baton with the broken or the fixed mapping (a restart is how a changed mapping is loaded). */
  const start = async (which: 'broken' | 'fixed') => {
    if (b && running === which) return b;
    await stop();
    b = await startBaton({ env: { ...env, ...(await ownAddressEnv()), MAPPINGS_DIR: join(dir, which) } });
    running = which;
    return b;
  };
  const stop = async () => {
    await b?.close();
    b = undefined;
  };

  beforeAll(async () => {
    world = await startWorld({ deals: 3 });
    dir = await mkdtemp(join(tmpdir(), 'baton-mapping-failure-'));
    for (const [name, template] of [['broken', HEAVY], ['fixed', '"{{ deal.dealname | size }}"']] as const) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'default.yaml'), mapping(template));
    }
    // One database and queue prefix across the restart that loads the fixed mapping.
    env = {
      ...world.env,
      DATABASE_URL: `sqlite:${join(dir, 'baton.db')}`,
      BATON_QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
      BATON_USERS: await usersEnv(),
      BATON_SESSION_SECRET: 's'.repeat(40),
      BATON_INBOX_SWEEP_SECONDS: '1',
    };
  });
  afterAll(async () => {
    await stop();
    await world?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a failed handoff naming mapping, template and field; Retry after the fix builds it and runs it', async () => {
    const h1 = await start('broken');
    const dealId = world.dealIds[0]!;
    const event = world.hubspot.moveDealToStage(dealId, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${h1.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);

    const failed = await waitFor(async () => (await h1.api('/api/handoffs')).items.find((h: { status: string }) => h.status === 'failed'), 'a failed handoff', 20_000);
    expect(failed.lastError).toContain('mapping services-onboarding');
    expect(failed.lastError).toMatch(/document\.sections\.scope\[\d\]\.value \(field "Name length"\)/);
    expect(failed.lastError).toContain('rendering allocated more than 1,000,000 characters or items (memory limit');
    expect(failed.lastError).toContain('fix the mapping, then Retry');
    expect(failed.title).toBe('Handoff: Rollout 0');
    const detail = await h1.api(`/api/handoffs/${failed.id}`);
    expect(detail.steps).toEqual([expect.objectContaining({ stepId: 'build', status: 'failed', permanent: true, lastError: failed.lastError })]);
    // The event was handled, not left pending behind a dead-lettered route job; nothing was created.
    const [identity] = parseHubSpotWebhook([event]).events.map((e) => e.identity);
    expect((await getInboxEvent(h1.rt.store, identity!))?.status).toBe('routed');
    expect(await h1.rt.queues.route.getFailedCount()).toBe(0);
    expect(world.jira.state.issues).toHaveLength(0);

    // Visible where people look: the board and the admin page's failed work (with Retry).
    const a1 = await admin(h1);
    const board = (await a1.get('/?state=all')).text;
    expect(board).toContain(`data-handoff="${failed.id}"`);
    expect(board).toContain('title="build: failed"');
    const adminPage = (await a1.get('/admin')).text;
    expect(adminPage).toContain('Name length');
    expect(adminPage).toContain(`name="handoffId" value="${failed.id}"`);

    // The admin fixes the template; the restarted Baton loads it; Retry builds the handoff and runs it.
    const h2 = await start('fixed');
    const a2 = await admin(h2);
    const retry = await a2.post('/admin/retry', { _csrf: await a2.csrf('/admin'), handoffId: failed.id, stepId: 'build', back: '/admin' });
    expect(retry.status).toBe(303);
    const done = await waitFor(async () => {
      const d = await h2.api(`/api/handoffs/${failed.id}`);
      return d.status === 'done' && d;
    }, 'handoff done after Retry', 30_000);
    expect(done.steps.map((s: { stepId: string; status: string }) => `${s.stepId}:${s.status}`)).toEqual(['build:done', 'create-work:done', 'schedule-checks:done', 'post-intro:done', 'write-back:done']);
    expect(done.lastError).toBeNull();
    expect(done.title).toBe('Handoff: Client 0 GmbH — Rollout 0');
    expect(JSON.stringify(done.document)).toContain('"value":"9"');
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Epic')).toHaveLength(1);
    expect(world.jira.state.issues.filter((i) => i.issueType === 'Task')).toHaveLength(7);
  }, 120_000);

  it('renders `handoff_url` as the handoff\'s own page in the templates', async () => {
    const h = await start('fixed');
    const dealId = world.dealIds[1]!;
    expect((await world.hubspot.sendWebhook(`${h.url}/webhooks/hubspot`, [world.hubspot.moveDealToStage(dealId, 'closedwon')], TEST_SECRET)).status).toBe(200);
    const done = await waitFor(async () => (await h.api('/api/handoffs')).items.find((x: { dealId: string; status: string }) => x.dealId === dealId && x.status === 'done'), 'handoff done', 30_000);
    const kickoff = world.jira.state.issues.find((i) => i.labels.includes('baton-task-kickoff') && i.labels.includes(`baton-${done.id}`));
    expect(JSON.stringify(kickoff?.description)).toContain(`Handoff page: ${h.env.BATON_PUBLIC_URL}/handoffs/${done.id}`);
  }, 60_000);

  it('sweeps an inbox event whose route job Redis lost back into routing', async () => {
    const h = await start('fixed');
    const dealId = world.dealIds[2]!;
    // Acknowledged and stored in the inbox ten minutes ago; its route job vanished with Redis.
    const raw = JSON.stringify([world.hubspot.moveDealToStage(dealId, 'closedwon')]);
    const [event] = parseHubSpotWebhook(JSON.parse(raw)).events;
    await insertInboxEvents(h.rt.store, [event!], new Date(Date.now() - 10 * 60_000));
    const done = await waitFor(async () => (await h.api('/api/handoffs')).items.find((x: { dealId: string; status: string }) => x.dealId === dealId && x.status === 'done'), 'handoff of the swept event done', 30_000);
    expect(done.mapping).toBe('services-onboarding');
    expect((await getInboxEvent(h.rt.store, event!.identity))?.status).toBe('routed');
    expect(h.logs.join('')).toContain('inbox events were still pending');
  }, 60_000);
});
