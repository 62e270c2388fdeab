// The watching path of one handoff, whole process, live connectors on the HubSpot, Jira and Slack stand-ins,
// with a transient failure at every external call it makes (issue 11, "Done when"): the HubSpot re-read of a
// `document.complete` check, the Jira status read of a task check, of a Jira webhook and of the poll, the
// HubSpot milestone PATCH, the Slack escalation post and the Slack client-update post. Faults are 5xx, told
// waits (429 + Retry-After) and answers that arrive after the client gave up although the API did the work
// (`slow`). Each effect lands exactly once, nothing is lost, and every fault was met (no vacuous pass).
//
// Determinism: faults are armed before the call they aim at can happen. Rung 0 of each check is due in an hour
// and brought forward once its faults are armed (as an overdue check would run); the next rung then follows
// a few seconds later on its own. Jira's poll scheduler is off; the test adds one poll job to the real queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { channelId, PEOPLE } from '../helpers/standin-world.js';
import { checkRunner, ESCALATIONS, expectEachEffectOnce, HUBSPOT_DEAL_PATCH, HUBSPOT_DEAL_READ, LATE, met, SLACK_POST, startWatching } from '../helpers/watching-faults.js';
import type { StandinIssue } from '../standins/jira-standin.js';
import { sendJiraWebhook } from '../helpers/jira-webhook.js';
import { jobIdFor } from '../../src/queue/queues.js';
import { listEscalations } from '../../src/store/escalation-repo.js';
import { getHandoff } from '../../src/store/handoff-repo.js';
import { getTaskStatus, listTaskStatus } from '../../src/store/task-status-repo.js';

const JIRA_SECRET = 'jira-webhook-secret-watching-transient';
const SCOPE = 'Analytics rollout for 3 units';
const JIRA_STATUS_READ = /^POST \/rest\/api\/3\/search\/jql$/;

/** Two escalations: one on the document (needs the deal re-read), one on a task (needs Jira). */
const ESCALATION_LINES = [
  '  - id: document-incomplete',
  '    after: 1 hour',
  '    unless: document.complete',
  '    notify: [sales_rep]',
  '  - id: kickoff-not-scheduled',
  '    after: 1 hour',
  '    unless: task.kickoff.started',
  '    notify: [project_lead]',
  '    then: { after: 3 seconds, notify: [sales_rep] }',
];

describe('watching through transient failures at every external call (live connectors, stand-ins)', () => {
  let world: Awaited<ReturnType<typeof startWatching>>['world'];
  let b: Harness;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ world, b, close } = await startWatching(ESCALATION_LINES, { env: { JIRA_WEBHOOK_SECRET: JIRA_SECRET } }));
  });
  afterAll(async () => {
    await close?.();
  });

  /** Jira's signed webhook for an issue as it is now. */
  async function jiraWebhook(issue: StandinIssue, deliveryId: string) {
    expect(await sendJiraWebhook(b.url, JIRA_SECRET, issue, deliveryId)).toBe(200);
  }

  const completed = (queue: 'status', jobId: string, what: string) =>
    waitFor(async () => (await (await b.rt.queues[queue].getJob(jobId))?.isCompleted()) === true, what, 60_000);

  it('escalates each stalled rung once, stays quiet where the rep fixed the deal, writes each milestone and client update once', async () => {
    const dealId = world.dealIds[0]!;
    const deal = world.hubspot.state.deals.get(dealId)!;
    deal.properties.baton_scope = null; // missing at the close: the document is incomplete
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [world.hubspot.moveDealToStage(dealId, 'closedwon')], TEST_SECRET)).status).toBe(200);
    const item = await waitFor(async () => (await b.api('/api/handoffs')).items.find((h: { status: string }) => h.status === 'done'), 'handoff done', 60_000);
    const handoffId: string = item.id;
    expect((await getHandoff(b.rt.store, handoffId))!.complete).toBe(false);
    const intro = world.slack.state.messages.find((m) => m.metadata?.event_type === 'baton_handoff_intro')!;
    expect(intro.channel).toBe(channelId(0));
    const issue = (task: string) => world.jira.state.issues.find((x) => x.labels.includes(`baton-${handoffId}`) && x.labels.includes(`baton-task-${task}`))!;
    const escalationPosts = (trigger: string) => world.slack.state.messages.filter((m) => m.channel === ESCALATIONS && m.metadata?.event_type === 'baton_escalation' && m.metadata.event_payload.trigger_id === trigger);

    const { runNow: runCheckNow, settled } = checkRunner(b, handoffId);

    // 1. The rep fills in the missing field in HubSpot; the document check's re-read meets a 503, then a 429.
    deal.properties.baton_scope = SCOPE;
    world.hubspot.faults.inject({ kind: 'error', status: 503 }, { match: HUBSPOT_DEAL_READ, times: 1 });
    world.hubspot.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: HUBSPOT_DEAL_READ, times: 1 });
    await runCheckNow('document-incomplete');
    expect(await settled('document-incomplete', 'the document check ran')).toMatchObject({ status: 'resolved' });
    expect(met(world.hubspot.faults, 'error', HUBSPOT_DEAL_READ)).toBe(1);
    expect(met(world.hubspot.faults, 'rate-limit', HUBSPOT_DEAL_READ)).toBe(1);
    expect((await getHandoff(b.rt.store, handoffId))!.complete).toBe(true);

    // 2. The kickoff is not under way: rung 0's Jira read meets a 503 and its post is answered too late (Slack
    //    made the message); rung 1, a few seconds later, meets a told wait on both.
    world.jira.faults.inject({ kind: 'error', status: 503 }, { match: JIRA_STATUS_READ, times: 1 });
    world.slack.faults.inject(LATE, { match: SLACK_POST, times: 1 });
    await runCheckNow('kickoff-not-scheduled');
    await waitFor(async () => (await listEscalations(b.rt.store, handoffId)).find((e) => e.triggerId === 'kickoff-not-scheduled' && e.rung === 0 && e.status === 'sent'), 'rung 0 sent', 60_000);
    world.jira.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: JIRA_STATUS_READ, times: 1 });
    world.slack.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: SLACK_POST, times: 1 });
    expect(await settled('kickoff-not-scheduled', 'the kickoff ladder finished')).toMatchObject({ status: 'finished', rung: 1 });
    expect(met(world.jira.faults, 'error', JIRA_STATUS_READ)).toBe(1);
    expect(met(world.jira.faults, 'rate-limit', JIRA_STATUS_READ)).toBe(1);
    expect(met(world.slack.faults, 'slow', SLACK_POST)).toBe(1);
    expect(met(world.slack.faults, 'rate-limit', SLACK_POST)).toBe(1);
    expect(escalationPosts('kickoff-not-scheduled').map((m) => m.metadata!.event_payload.rung)).toEqual([0, 1]);
    expect(escalationPosts('kickoff-not-scheduled')[0]!.text).toContain(`<@${PEOPLE.lead.slack}>`);
    expect(escalationPosts('kickoff-not-scheduled')[1]!.text).toContain(`<@${PEOPLE.rep.slack}>`);
    expect(escalationPosts('document-incomplete')).toHaveLength(0);
    const fired = await listEscalations(b.rt.store, handoffId);
    expect(fired.map((e) => [e.triggerId, e.rung, e.status])).toEqual([
      ['kickoff-not-scheduled', 0, 'sent'],
      ['kickoff-not-scheduled', 1, 'sent'],
    ]);
    // Each recorded ts is the message Slack holds (rung 0's was found by its marker, not posted again).
    expect(fired.map((e) => e.messageTs)).toEqual(escalationPosts('kickoff-not-scheduled').map((m) => m.ts));
    expect(world.slack.state.historyReads.filter((r) => r.args.channel === ESCALATIONS).length).toBeGreaterThan(0);

    // 3. Kickoff under way (Jira webhook): the re-read meets a 503, the client update is answered too late.
    world.jira.faults.inject({ kind: 'error', status: 503 }, { match: JIRA_STATUS_READ, times: 1 });
    world.slack.faults.inject(LATE, { match: SLACK_POST, times: 1 });
    await jiraWebhook(world.jira.transition(issue('kickoff').key, { status: 'In Progress', category: 'indeterminate' }), 'kickoff-started');
    await completed('status', jobIdFor('jira-delivery', 'kickoff-started'), 'the kickoff-started delivery handled');
    expect(met(world.jira.faults, 'error', JIRA_STATUS_READ)).toBe(2);
    expect(met(world.slack.faults, 'slow', SLACK_POST)).toBe(2);
    expect(world.slack.state.historyReads.filter((r) => r.method === 'conversations.replies' && r.args.ts === intro.ts).length).toBeGreaterThan(0);
    expect(await getTaskStatus(b.rt.store, handoffId, 'kickoff')).toMatchObject({ category: 'in_progress', statusName: 'In Progress' });

    // 4. Kickoff done (Jira webhook): the milestone PATCH meets a 503, then a told wait.
    world.hubspot.faults.inject({ kind: 'error', status: 503 }, { match: HUBSPOT_DEAL_PATCH, times: 1 });
    world.hubspot.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: HUBSPOT_DEAL_PATCH, times: 1 });
    await jiraWebhook(world.jira.transition(issue('kickoff').key, { status: 'Done', category: 'done' }), 'kickoff-done');
    await completed('status', jobIdFor('jira-delivery', 'kickoff-done'), 'the kickoff-done delivery handled');
    expect(met(world.hubspot.faults, 'error', HUBSPOT_DEAL_PATCH)).toBe(1);
    expect(met(world.hubspot.faults, 'rate-limit', HUBSPOT_DEAL_PATCH)).toBe(1);
    expect(deal.properties.baton_kickoff_done).toBeTruthy();

    // 5. First deliverable done with no webhook (missed): the poll's read meets a 503, the milestone PATCH is
    //    answered too late (HubSpot wrote it), the client update meets a told wait.
    world.jira.transition(issue('first-deliverable').key, { status: 'Done', category: 'done' });
    world.jira.faults.inject({ kind: 'error', status: 503 }, { match: JIRA_STATUS_READ, times: 1 });
    world.hubspot.faults.inject(LATE, { match: HUBSPOT_DEAL_PATCH, times: 1 });
    world.slack.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: SLACK_POST, times: 1 });
    await b.rt.queues.status.add('poll', {}, { jobId: 'poll-through-faults' });
    await completed('status', 'poll-through-faults', 'the poll finished');
    expect(met(world.jira.faults, 'error', JIRA_STATUS_READ)).toBe(3);
    expect(met(world.hubspot.faults, 'slow', HUBSPOT_DEAL_PATCH)).toBe(1);
    expect(met(world.slack.faults, 'rate-limit', SLACK_POST)).toBe(2);

    // Each effect once, nothing lost.
    await expectEachEffectOnce({ world, b }, handoffId, intro.ts);
    const tasks = Object.fromEntries((await listTaskStatus(b.rt.store, handoffId)).map((t) => [t.taskId, t.category]));
    expect(tasks).toMatchObject({ kickoff: 'done', 'first-deliverable': 'done', 'confirm-scope': 'todo' });
  }, 120_000);
});
