// Watching does not wait behind the intro (issue 11, item 3). Live connectors on the stand-ins; the Baton app
// is not in the client's Slack channel, so the intro fails for good (not_in_channel). The work exists, so
// the handoff is still watched — task status rows, escalation checks with their jobs, the feedback request —
// a Jira webhook for one of its tasks is applied, the write-back still happens, and the team lead gets ONE
// escalation naming the fix. After the fix (the app invited) Retry finishes the handoff with one intro.
import { afterEach, describe, expect, it } from 'vitest';
import { startBaton, waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { channelId, PEOPLE, startWorld } from '../helpers/standin-world.js';
import { ownAddressEnv } from '../helpers/free-port.js';
import { getHandoff, listHandoffs } from '../../src/store/handoff-repo.js';
import { listSteps } from '../../src/store/step-repo.js';
import { listTaskStatus } from '../../src/store/task-status-repo.js';
import { listChecks } from '../../src/store/escalation-repo.js';
import { getFeedbackRequest } from '../../src/store/feedback-repo.js';
import { checkJobId } from '../../jobs/escalation/check-jobs.js';
import { replayHandoff } from '../../src/cli/replay-handoffs.js';
import { signJiraWebhook } from '../../connectors/jira/verify-webhook.js';

const ESCALATIONS = 'C0ESCAL001';
const JIRA_SECRET = 'jira-webhook-secret-for-tests';

describe('live connectors: a failed intro does not hold up watching', () => {
  let world: Awaited<ReturnType<typeof startWorld>> | undefined;
  let b: Harness | undefined;
  afterEach(async () => {
    await b?.close();
    await world?.close();
    b = world = undefined;
  });

  it('not_in_channel: watched anyway, written back, the team lead told once how to fix it; Retry after the fix completes it', async () => {
    world = await startWorld({ deals: 1 });
    const client = world.slack.state.channels.find((c) => c.id === channelId(0))!;
    client.member = false; // nobody invited @Baton to the client channel
    world.slack.state.channels.push({ id: ESCALATIONS, name: 'delivery-escalations', member: true });
    b = await startBaton({ env: { ...world.env, ...(await ownAddressEnv()), SLACK_ESCALATION_CHANNEL: ESCALATIONS, JIRA_WEBHOOK_SECRET: JIRA_SECRET } });
    const event = world.hubspot.moveDealToStage(world.dealIds[0]!, 'closedwon');
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [event], TEST_SECRET)).status).toBe(200);

    const handoff = await waitFor(async () => (await listHandoffs(b!.rt.store, { limit: 5 })).items.find((h) => h.status === 'failed'), 'handoff failed at the intro', 60_000);
    const steps = Object.fromEntries((await listSteps(b.rt.store, handoff.id)).map((s) => [s.stepId, s]));
    expect(Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, s.status]))).toEqual({ 'create-work': 'done', 'schedule-checks': 'done', 'post-intro': 'failed', 'write-back': 'done' });
    expect(steps['post-intro']!.permanent).toBe(true);
    expect(handoff.lastError).toContain('step post-intro');
    expect(handoff.lastError).toContain(`not in channel ${channelId(0)}`);

    // Watching started: every created task has a status row, every check its delayed job, feedback is scheduled.
    const tasks = await listTaskStatus(b.rt.store, handoff.id);
    expect(tasks).toHaveLength(7);
    const checks = await listChecks(b.rt.store, handoff.id);
    expect(checks.map((c) => c.triggerId).sort()).toEqual(['document-incomplete', 'first-deliverable-late', 'kickoff-not-scheduled']);
    for (const c of checks) {
      expect(c.status).toBe('pending');
      expect(await (await b.rt.queues.watch.getJob(checkJobId(c)))?.isDelayed(), c.triggerId).toBe(true);
    }
    expect((await getFeedbackRequest(b.rt.store, handoff.id))?.status).toBe('scheduled');
    // The write-back ran although the intro failed.
    expect(world.hubspot.state.notes.size).toBe(1);
    expect(world.hubspot.state.deals.get(world.dealIds[0]!)!.properties.baton_status).toBe('in_delivery');

    // A Jira webhook for one of the created tasks is applied (not dropped as "not a task Baton watches").
    const kickoff = tasks.find((t) => t.taskId === 'kickoff')!;
    const issue = world.jira.state.issues.find((i) => i.id === kickoff.externalId)!;
    issue.fields.status = { name: 'In Progress', statusCategory: { key: 'indeterminate' } };
    const body = JSON.stringify({
      timestamp: Date.now(),
      webhookEvent: 'jira:issue_updated',
      issue: { id: issue.id, key: issue.key, fields: { status: issue.fields.status, labels: issue.labels, assignee: null, duedate: issue.duedate } },
      changelog: { id: '1', items: [{ field: 'status', fieldtype: 'jira' }] },
    });
    const res = await fetch(`${b.url}/webhooks/jira`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': signJiraWebhook(body, JIRA_SECRET), 'x-atlassian-webhook-identifier': 'delivery-1' },
      body,
    });
    expect(res.status).toBe(200);
    await waitFor(async () => (await listTaskStatus(b!.rt.store, handoff.id)).find((t) => t.taskId === 'kickoff')?.category === 'in_progress', 'kickoff in progress from the webhook', 30_000);

    // The team lead was told once, in the escalation channel, with the fix.
    const told = () => world!.slack.state.messages.filter((m) => m.channel === ESCALATIONS && m.metadata?.event_payload.trigger_id === 'step:post-intro');
    await waitFor(async () => told().length === 1, 'the failed intro escalated', 30_000);
    const [msg] = told();
    expect(msg!.text).toContain('/invite @Baton');
    expect(msg!.text).toContain(channelId(0));
    expect(msg!.text).toContain(`<@${PEOPLE.ops.slack}>`); // team_lead in mappings/default.yaml is delivery-ops@example.com
    expect(JSON.stringify(msg!.blocks)).toContain('Retry');

    // Retry before the fix: fails the same way, and the escalation is not posted a second time.
    expect((await replayHandoff(b.rt.jobDeps, handoff.id, 'test')).replayed).toBe(true);
    await waitFor(async () => (await getHandoff(b!.rt.store, handoff.id))?.status === 'failed', 'failed again', 60_000);
    expect(told()).toHaveLength(1);

    // The fix, then Retry: the intro is posted once, nothing else repeats.
    client.member = true;
    expect((await replayHandoff(b.rt.jobDeps, handoff.id, 'test')).replayed).toBe(true);
    await waitFor(async () => (await getHandoff(b!.rt.store, handoff.id))?.status === 'done', 'done after the fix', 60_000);
    expect(world.slack.state.messages.filter((m) => m.metadata?.event_type === 'baton_handoff_intro' && m.channel === channelId(0))).toHaveLength(1);
    expect(world.jira.state.issues).toHaveLength(8);
    expect(world.hubspot.state.notes.size).toBe(1);
    expect(told()).toHaveLength(1);
  }, 240_000);
});
