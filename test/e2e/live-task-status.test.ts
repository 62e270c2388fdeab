// Watching with live connectors on the stand-ins (HubSpot, Jira, Slack): a real closed-won handoff creates the
// Jira work, then Jira webhooks report what people do with it. Handled means committed: a delivery whose
// milestone write or client update fails (5xx, a told wait, a failure after a partial success) is retried and
// its effects land exactly once; an older read never rolls a task back; a task deleted in Jira is recorded
// as deleted and no longer polled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { startWorld, channelId } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { sendJiraWebhook } from '../helpers/jira-webhook.js';
import { jobIdFor } from '../../src/queue/queues.js';
import { listAudit } from '../../src/store/audit-repo.js';
import { getTaskStatus } from '../../src/store/task-status-repo.js';
import { listHandoffsForDeal } from '../../src/store/handoff-repo.js';
import { processPollJob } from '../../jobs/task-status.js';
import type { StandinIssue } from '../standins/jira-standin.js';

const JIRA_SECRET = 'jira-webhook-secret-live-status';

describe('task status with live connectors (stand-ins): nothing lost, nothing twice, nothing rolled back', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let b: Harness;
  beforeAll(async () => {
    world = await startWorld({ deals: 5 });
    // No poll: each test drives the status path itself.
    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()), JIRA_WEBHOOK_SECRET: JIRA_SECRET, BATON_WATCH_POLL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await b?.close();
    await world?.close();
  });

  /** Closes deal i through the real pipeline and returns the handoff and its Jira tasks. */
  async function handOff(i: number) {
    const dealId = world.dealIds[i]!;
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [world.hubspot.moveDealToStage(dealId, 'closedwon')], TEST_SECRET)).status).toBe(200);
    const handoff = await waitFor(async () => (await listHandoffsForDeal(b.rt.store, 'hubspot', dealId)).find((h) => h.status === 'done'), `handoff of deal ${dealId} done`, 30_000);
    const issue = (task: string) => world.jira.state.issues.find((x) => x.labels.includes(`baton-${handoff.id}`) && x.labels.includes(`baton-task-${task}`))!;
    return { dealId, handoffId: handoff.id, issue };
  }

  /** Jira's webhook for an issue as it is now (signed, with its delivery identifier). */
  async function jiraWebhook(issue: StandinIssue, deliveryId: string, event = 'jira:issue_updated') {
    expect(await sendJiraWebhook(b.url, JIRA_SECRET, issue, deliveryId, event)).toBe(200);
  }

  const finished = (deliveryId: string) =>
    waitFor(async () => (await b.rt.queues.status.getJob(jobIdFor('jira-delivery', deliveryId)))?.finishedOn, `delivery ${deliveryId} processed`, 20_000);
  const milestonePatches = (dealId: string, property: string) => world.hubspot.state.patches.filter((p) => p.dealId === dealId && property in p.properties);
  const audits = async (handoffId: string, kind: string) => (await listAudit(b.rt.store, handoffId)).filter((a) => a.kind === kind);

  it.each([
    { name: 'a HubSpot 5xx', deal: 0, fault: { kind: 'error', status: 502 } as const },
    { name: 'a told wait (429 Retry-After)', deal: 1, fault: { kind: 'rate-limit', retryAfterS: 1 } as const },
  ])('$name on the milestone write: the delivery is retried, re-runs it, and the milestone lands once', async ({ deal, fault }) => {
    const { dealId, handoffId, issue } = await handOff(deal);
    world.hubspot.faults.inject(fault, { match: /^PATCH \/crm\/v3\/objects\/deals\//, times: 1 });
    const deliveryId = `kickoff-done-${deal}`;
    await jiraWebhook(world.jira.transition(issue('kickoff').key, { status: 'Done', category: 'done' }), deliveryId);
    await waitFor(async () => world.hubspot.state.deals.get(dealId)!.properties.baton_kickoff_done, 'kickoff milestone on the deal', 20_000);
    expect(world.hubspot.faults.count(fault.kind)).toBe(1);
    expect(milestonePatches(dealId, 'baton_kickoff_done')).toHaveLength(1);
    await finished(deliveryId);
    expect(await audits(handoffId, 'milestone.reached')).toHaveLength(1);
    expect(await getTaskStatus(b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'done', statusName: 'Done' });
  });

  it('a partial success (CRM written, the client update fails): the retry posts the update once', async () => {
    const { dealId, handoffId, issue } = await handOff(2);
    world.slack.faults.inject({ kind: 'error', status: 503 }, { match: /chat\.postMessage$/, times: 1 });
    await jiraWebhook(world.jira.transition(issue('first-deliverable').key, { status: 'Delivered', category: 'done' }), 'c-first-deliverable');
    const updates = () => world.slack.state.messages.filter((m) => m.channel === channelId(2) && m.metadata?.event_type === 'baton_client_update');
    await waitFor(async () => updates().length > 0, 'client update posted', 20_000);
    await finished('c-first-deliverable');
    expect(world.slack.faults.count('error')).toBe(1);
    expect(updates()).toHaveLength(1);
    expect(updates()[0]!.metadata?.event_payload).toMatchObject({ milestone: 'first_deliverable' });
    expect(world.hubspot.state.deals.get(dealId)!.properties.baton_first_deliverable_done).toBeTruthy();
    expect(await audits(handoffId, 'milestone.reached')).toHaveLength(1);
    expect(await audits(handoffId, 'client.updated')).toHaveLength(1);
  });

  it('an older read answered after a newer one never rolls the task back', async () => {
    const { handoffId, issue } = await handOff(3);
    const kickoff = issue('kickoff');
    world.jira.transition(kickoff.key, { status: 'In Progress', category: 'indeterminate' });
    // The first delivery's read is answered late, with what Jira held when it asked.
    world.jira.faults.inject({ kind: 'slow', ms: 3_000 }, { match: /search\/jql$/, times: 1 });
    await jiraWebhook(kickoff, 'd-in-progress');
    await waitFor(async () => world.jira.faults.count('slow') === 1, 'the slow read asked');
    await jiraWebhook(world.jira.transition(kickoff.key, { status: 'Done', category: 'done' }), 'd-done');
    await finished('d-done');
    expect(await getTaskStatus(b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'done', statusName: 'Done' });
    await finished('d-in-progress');
    expect(await getTaskStatus(b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'done', statusName: 'Done' });
    const changes = (await audits(handoffId, 'task.changed')).filter((a) => a.message.startsWith('Task kickoff'));
    expect(changes.map((a) => a.message)).not.toContainEqual(expect.stringContaining('Done → In Progress'));
  });

  it('a task deleted in Jira (webhook or a 404 on the poll) is recorded as deleted and no longer polled', async () => {
    const { handoffId, issue } = await handOff(4);
    const reviewDoc = issue('review-doc');
    world.jira.deleteIssue(reviewDoc.key);
    await jiraWebhook(reviewDoc, 'e-deleted', 'jira:issue_deleted');
    await finished('e-deleted');
    expect(await getTaskStatus(b.rt.store, handoffId, 'review-doc')).toMatchObject({ category: 'deleted', statusName: 'Deleted in Jira', deletedAt: expect.any(String) });

    // No webhook for this one: the poll's search names a deleted issue (Jira refuses it), the issue read says 404.
    world.jira.deleteIssue(issue('kickoff').key);
    await processPollJob(b.rt.jobDeps);
    expect(await getTaskStatus(b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'deleted', statusName: 'Deleted in Jira' });
    const deleted = await audits(handoffId, 'task.deleted');
    expect(deleted.map((a) => a.message)).toEqual([expect.stringMatching(/^Task review-doc .* was deleted in Jira/), expect.stringMatching(/^Task kickoff .* was deleted in Jira/)]);

    // The next polls read only what is still there: no more reads of the deleted issues.
    const reads = () => world.jira.state.requests['GET /rest/api/3/issue/{key}'] ?? 0;
    const before = reads();
    await processPollJob(b.rt.jobDeps);
    await processPollJob(b.rt.jobDeps);
    expect(reads()).toBe(before);
    expect(await audits(handoffId, 'task.deleted')).toHaveLength(2);
  });
});
