// The first whole path: signed HubSpot webhooks → inbox → route → handoff steps, on real Redis and SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, stageChange, waitFor, type Harness } from '../../helpers/baton-harness.js';
import { countDryRuns } from '../../../src/store/dry-run-repo.js';
import { countInbox } from '../../../src/store/inbox-repo.js';

describe('closed-won pipeline (dry-run connectors)', () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startBaton({ env: { HUBSPOT_APP_ID: '777000' } });
  });
  afterAll(async () => {
    await b.close();
  });

  const handoffsFor = async (dealId: string) => {
    const page = await b.api('/api/handoffs?limit=200');
    return (page.items as { id: string; dealId: string; status: string }[]).filter((h) => h.dealId === dealId);
  };

  it("ignores Baton's own writes to a deal (sourceId = our app), before reading the deal", async () => {
    const own = { ...stageChange(1002, 'closedwon', { eventId: 4 }), propertyName: 'baton_status', propertyValue: 'in_delivery', changeSource: 'INTEGRATION', sourceId: '777000' };
    expect((await b.post([own])).status).toBe(200);
    const row = await waitFor(async () => {
      const r = await b.rt.store.db.selectFrom('inbox_events').selectAll().where('deal_id', '=', '1002').executeTakeFirst();
      return r && r.status !== 'pending' && r;
    }, 'own write routed');
    expect(row).toMatchObject({ status: 'ignored', note: "Baton's own write to the deal" });
    expect(await handoffsFor('1002')).toHaveLength(0);
  });

  it('turns a mixed batch into exactly one handoff with every step recorded', async () => {
    const batch = [
      stageChange(1001, 'closedwon', { eventId: 1 }),
      { eventId: 2, subscriptionId: 5, portalId: 62515, appId: 9090, occurredAt: Date.now(), subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 55 },
      { eventId: 3, subscriptionId: 6, portalId: 62515, appId: 9090, occurredAt: Date.now(), subscriptionType: 'deal.propertyChange', attemptNumber: 0, objectId: 1001, propertyName: 'description', propertyValue: 'x' },
    ];
    const res = await b.post(batch);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 2, ignored: 1 });

    const [h] = await waitFor(async () => {
      const hs = await handoffsFor('1001');
      return hs.length === 1 && hs[0]!.status === 'done' && hs;
    }, 'handoff for deal 1001 done');
    const detail = await b.api(`/api/handoffs/${h!.id}`);
    expect(detail.mapping).toBe('services-onboarding');
    expect(detail.title).toContain('Acme Corp');
    expect(detail.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status])).toEqual([
      ['create-work', 'done'],
      ['schedule-checks', 'done'],
      ['post-intro', 'done'],
      ['write-back', 'done'],
    ]);
    const actions = detail.dryRuns.map((r: { connector: string; action: string }) => `${r.connector}.${r.action}`).sort();
    expect(actions).toEqual(['hubspot.writeBack', 'jira.createWork', 'slack.postIntro']);
    const intro = detail.dryRuns.find((r: { action: string }) => r.action === 'postIntro');
    // Replies in the client's existing thread, and the hostile `<!channel>` from the deal stays text.
    expect(intro.payload.channel).toBe('C0ACMESHARED');
    expect(intro.payload.thread_ts).toBe('1763990000.000200');
    expect(intro.payload.text).not.toMatch(/<!channel>/);
    expect(detail.audit.map((a: { kind: string }) => a.kind)).toContain('handoff.created');
  });

  it('the same batch delivered 10 times (concurrently) makes one handoff and one of each effect', async () => {
    const batch = [stageChange(1002, 'closedwon', { eventId: 77 })];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => b.post(batch.map((e) => ({ ...e, attemptNumber: i })))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    await waitFor(async () => (await handoffsFor('1002'))[0]?.status === 'done', 'handoff 1002 done');
    // Let any straggling duplicate jobs drain before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(await handoffsFor('1002')).toHaveLength(1);
    const h = (await handoffsFor('1002'))[0]!;
    const detail = await b.api(`/api/handoffs/${h.id}`);
    expect(detail.dryRuns).toHaveLength(2); // createWork + writeBack; deal 1002 names no Slack channel
    expect(detail.steps.find((s: { stepId: string }) => s.stepId === 'post-intro').status).toBe('skipped');
    expect(detail.complete).toBe(false);
    expect(detail.missing.length).toBeGreaterThan(0);
  });

  it('out-of-order events for one deal converge on one handoff', async () => {
    // HubSpot may deliver the stage change before the creation, and a later unrelated change first.
    const now = Date.now();
    const later = { ...stageChange(1001, 'closedwon', { eventId: 9001, occurredAt: now }), propertyName: 'amount', propertyValue: '50000' };
    const creation = { eventId: 9002, subscriptionId: 1, portalId: 62515, appId: 9090, occurredAt: now - 60_000, subscriptionType: 'deal.creation', attemptNumber: 0, objectId: 1001, changeFlag: 'CREATED' };
    const stage = stageChange(1001, 'closedwon', { eventId: 9003, occurredAt: now - 30_000 });
    for (const batch of [[later], [stage], [creation]]) expect((await b.post(batch)).status).toBe(200);
    // 1 + 2 + 1 events from the tests above, 3 here; all routed (none left pending).
    await waitFor(async () => (await countInbox(b.rt.store)) === 7 && (await countInbox(b.rt.store, { status: 'pending' })) === 0, 'events routed');
    await new Promise((r) => setTimeout(r, 300));
    expect(await handoffsFor('1001')).toHaveLength(1);
    expect(await countDryRuns(b.rt.store, { action: 'createWork' })).toBe(2); // deals 1001 and 1002, once each
  });

  it('acknowledges events it deliberately ignores (HubSpot retries every non-2xx)', async () => {
    const res = await b.post([{ eventId: 5, subscriptionId: 5, portalId: 1, appId: 1, occurredAt: Date.now(), subscriptionType: 'company.creation', attemptNumber: 0, objectId: 1 }]);
    expect(res).toEqual({ status: 200, body: { accepted: 0, ignored: 1 } });
  });

  it('a deal with no matching mapping is stored and marked ignored, not handed off', async () => {
    const res = await b.post([stageChange(424242, 'closedwon', { eventId: 31337 })]);
    expect(res.status).toBe(200);
    const row = await waitFor(async () => {
      const r = await b.rt.store.db.selectFrom('inbox_events').selectAll().where('deal_id', '=', '424242').executeTakeFirst();
      return r && r.status !== 'pending' && r;
    }, 'event routed');
    expect(row.status).toBe('ignored');
    expect(await handoffsFor('424242')).toHaveLength(0);
  });
});
