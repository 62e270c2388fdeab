// Live re-reads ask for everything the mapping uses (DESIGN invariant 9): the HubSpot stand-in, like HubSpot,
// returns only its default properties unless asked, so a check or a preview that reads the deal with no
// property list never sees the rep's custom fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld, channelId } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { DashboardClient, USERS, usersEnv } from '../integration/dashboard/dashboard-client.js';
import { getCheck, updateCheckIf } from '../../src/store/escalation-repo.js';
import { getHandoff } from '../../src/store/handoff-repo.js';
import { checkJobId } from '../../jobs/escalation/check-jobs.js';

const SCOPE = 'Analytics rollout for 3 units';

describe('live deal reads ask for what the mappings use (HubSpot stand-in)', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 2 });
    b = await startBaton({
      env: {
        ...world.env,
        ...(await ownAddressEnv()),
        SLACK_ESCALATION_CHANNEL: channelId(1),
        BATON_USERS: await usersEnv(),
        BATON_SESSION_SECRET: 's'.repeat(40),
      },
    });
  });
  afterAll(async () => {
    await b?.close();
    await world?.close();
  });

  it('a document-incomplete check sees the custom property the rep filled in after the close, and stays quiet', async () => {
    const dealId = world.dealIds[0]!;
    world.hubspot.state.deals.get(dealId)!.properties.baton_scope = null;
    const event = world.hubspot.moveDealToStage(dealId, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
    const item = await waitFor(async () => {
      const p = await b.api('/api/handoffs');
      return p.items.find((h: { status: string }) => h.status === 'done');
    }, 'handoff done', 30_000);
    const before = (await getHandoff(b.rt.store, item.id))!;
    expect(before.complete).toBe(false);
    expect(before.missing.map((m) => m.key)).toEqual(['scope-sold']);

    // The rep fills the field in HubSpot after the close.
    world.hubspot.state.deals.get(dealId)!.properties.baton_scope = SCOPE;

    // Bring the `unless: document.complete` check's moment forward to now and let its job run.
    const key = { handoffId: item.id, triggerId: 'document-incomplete' };
    const check = (await getCheck(b.rt.store, key.handoffId, key.triggerId))!;
    expect(check.status).toBe('pending');
    expect(await updateCheckIf(b.rt.store, key, { status: 'pending', rung: 0, round: 0 }, { dueAt: new Date().toISOString() })).toBe(true);
    await (await b.rt.queues.watch.getJob(checkJobId(check)))!.promote();
    const done = await waitFor(async () => {
      const c = await getCheck(b.rt.store, key.handoffId, key.triggerId);
      return c?.status !== 'pending' && c;
    }, 'the check ran', 20_000);

    expect(done.status).toBe('resolved');
    expect(world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_escalation')).toHaveLength(0);
    const after = (await getHandoff(b.rt.store, item.id))!;
    expect(after.complete).toBe(true);
    expect(JSON.stringify(after.document)).toContain(SCOPE);
  });

  it('the admin preview by deal id shows the custom properties the mapping reads', async () => {
    const admin = new DashboardClient(b.url);
    expect((await admin.login(USERS.admin.name, USERS.admin.password)).status).toBe(303);
    const page = await admin.post('/admin/preview', {
      _csrf: await admin.csrf('/admin'),
      mapping: 'services-onboarding',
      deal: '',
      dealId: world.dealIds[1]!,
      closedAt: '',
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain(SCOPE);
    expect(page.text).toContain('Custom SAP connector');
  });
});
