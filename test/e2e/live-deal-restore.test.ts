// A deal deleted in HubSpot stops its handoff; restored, the handoff resumes where it stopped (live
// connectors on the stand-ins): steps already done stay done, nothing is created twice, the restore is on
// the audit trail, and a handoff that had finished gets its escalation checks back. An admin can resume a
// stopped handoff with Retry too (when the restore webhook never came).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { DashboardClient, USERS, usersEnv } from '../integration/dashboard/dashboard-client.js';
import { listChecks } from '../../src/store/escalation-repo.js';

describe('deleted then restored deals (live connectors, stand-ins)', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 3 });
    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()), BATON_USERS: await usersEnv(), BATON_SESSION_SECRET: 's'.repeat(40) } });
  });
  afterAll(async () => {
    await b?.close();
    await world?.close();
  });

  const send = async (event: unknown) => expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);
  const handoffOf = async (dealId: string) => (await b.api('/api/handoffs')).items.find((h: { dealId: string }) => h.dealId === dealId);
  const detail = async (dealId: string) => b.api(`/api/handoffs/${(await handoffOf(dealId)).id}`);
  const waitStatus = (dealId: string, status: string) => waitFor(async () => (await handoffOf(dealId))?.status === status && detail(dealId), `handoff of deal ${dealId} ${status}`, 30_000);
  const kinds = (d: { audit: { kind: string }[] }, kind: string) => d.audit.filter((a) => a.kind === kind).length;
  const effectsOf = (handoffId: string) => ({
    epics: world.jira.state.issues.filter((i) => i.issueType === 'Epic' && i.labels.includes(`baton-${handoffId}`)).length,
    tasks: world.jira.state.issues.filter((i) => i.issueType === 'Task' && i.labels.includes(`baton-${handoffId}`)).length,
    intros: world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro' && m.metadata.event_payload.handoff_id === handoffId).length,
  });

  /** Closed-won, then deleted before its run got going (the handoff queue held), then the run finds it stopped. */
  async function deletedBeforeItsRun(dealId: string) {
    await b.rt.queues.handoff.pause();
    await send(world.hubspot.moveDealToStage(dealId, 'closedwon'));
    await waitStatus(dealId, 'pending');
    await send(world.hubspot.deleteDeal(dealId));
    const stopped = await waitStatus(dealId, 'stopped');
    const ran = await b.rt.queues.handoff.getCompletedCount();
    await b.rt.queues.handoff.resume();
    await waitFor(async () => (await b.rt.queues.handoff.getCompletedCount()) > ran, 'the held run finished', 20_000);
    expect((await detail(dealId)).status).toBe('stopped');
    expect(effectsOf(stopped.id)).toEqual({ epics: 0, tasks: 0, intros: 0 });
    return stopped;
  }

  it('a restore webhook resumes a handoff its deletion stopped, and it completes exactly once', async () => {
    const dealId = world.dealIds[0]!;
    const stopped = await deletedBeforeItsRun(dealId);
    await send(world.hubspot.restoreDeal(dealId));
    const done = await waitStatus(dealId, 'done');
    expect(done.id).toBe(stopped.id);
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(kinds(done, 'deal.restored')).toBe(1);
    expect(kinds(done, 'handoff.done')).toBe(1);
    expect(effectsOf(done.id)).toEqual({ epics: 1, tasks: 7, intros: 1 });
    expect([...world.hubspot.state.notes.values()].filter((n) => n.dealIds.includes(dealId))).toHaveLength(1);
    // HubSpot redelivers the restore: nothing more happens.
    const again = world.hubspot.restoreDeal(dealId);
    await send(again);
    await send({ ...again, attemptNumber: 1 });
    await new Promise((r) => setTimeout(r, 1_500));
    const after = await detail(dealId);
    expect(kinds(after, 'handoff.done')).toBe(1);
    expect(effectsOf(done.id)).toEqual({ epics: 1, tasks: 7, intros: 1 });
  }, 90_000);

  it('a handoff that had finished gets its escalation checks back when its deal is restored', async () => {
    const dealId = world.dealIds[1]!;
    await send(world.hubspot.moveDealToStage(dealId, 'closedwon'));
    const done = await waitStatus(dealId, 'done');
    const pending = (await listChecks(b.rt.store, done.id)).filter((c) => c.status === 'pending').map((c) => c.triggerId);
    expect(pending.length).toBeGreaterThan(0);
    await send(world.hubspot.deleteDeal(dealId));
    await waitStatus(dealId, 'stopped');
    expect((await listChecks(b.rt.store, done.id)).filter((c) => c.status === 'pending')).toHaveLength(0);

    await send(world.hubspot.restoreDeal(dealId));
    const restored = await waitStatus(dealId, 'done');
    await waitFor(async () => kinds(await detail(dealId), 'deal.restored') === 1, 'restore on the trail');
    expect((await listChecks(b.rt.store, done.id)).filter((c) => c.status === 'pending').map((c) => c.triggerId)).toEqual(pending);
    expect(kinds(restored, 'handoff.done')).toBe(1);
    expect(effectsOf(done.id)).toEqual({ epics: 1, tasks: 7, intros: 1 });
  }, 90_000);

  it('an admin resumes a stopped handoff with Retry when the restore webhook never came', async () => {
    const dealId = world.dealIds[2]!;
    const stopped = await deletedBeforeItsRun(dealId);
    world.hubspot.restoreDeal(dealId); // restored in HubSpot; its webhook is lost

    const admin = new DashboardClient(b.url);
    expect((await admin.login(USERS.admin.name, USERS.admin.password)).status).toBe(303);
    const page = (await admin.get(`/handoffs/${stopped.id}`)).text;
    expect(page).toContain('Resume the stopped handoff');
    const retry = await admin.post('/admin/retry', { _csrf: DashboardClient.csrfOf(page), handoffId: stopped.id, stepId: 'handoff', back: `/handoffs/${stopped.id}` });
    expect(retry.status).toBe(303);
    const done = await waitStatus(dealId, 'done');
    expect(kinds(done, 'handoff.resumed')).toBe(1);
    expect(kinds(done, 'handoff.done')).toBe(1);
    expect(effectsOf(done.id)).toEqual({ epics: 1, tasks: 7, intros: 1 });
  }, 90_000);
});
