// The watching path of one handoff whose work is in Asana, whole process, live connectors on the HubSpot, Asana
// and Slack stand-ins, with a transient failure at every external call it makes (issue 11, "Done when"; the
// Jira twin is live-watching-transient.test.ts): the Asana task re-read of an escalation check and of a signed
// Asana webhook, the HubSpot milestone PATCH, the Slack escalation post and the Slack client-update post.
// Faults are 5xx, told waits (429 + Retry-After) and answers that arrive after the client gave up although
// the API did the work (`slow`). Each effect lands exactly once, nothing is lost, a redelivered webhook
// repeats nothing, and every fault was met (no vacuous pass).
//
// Asana has no "in progress": the kickoff is started (and done) when its task is completed. The kickoff
// check's rung 0 is brought forward once its faults are armed; rung 1 follows a few seconds later on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, TEST_SECRET, type Harness } from '../helpers/baton-harness.js';
import { channelId, PEOPLE } from '../helpers/standin-world.js';
import { checkRunner, ESCALATIONS, expectEachEffectOnce, HUBSPOT_DEAL_PATCH, LATE, met, SLACK_POST, startWatching } from '../helpers/watching-faults.js';
import { startAsanaStandin, STANDIN_TOKEN as ASANA_TOKEN, STANDIN_WORKSPACE, type AsanaStandin } from '../standins/asana-standin.js';
import { signAsanaWebhook } from '../../connectors/asana/verify-webhook.js';
import { listAudit } from '../../src/store/audit-repo.js';
import { listEscalations } from '../../src/store/escalation-repo.js';
import { listTaskStatus } from '../../src/store/task-status-repo.js';

const URL_TOKEN = 'asana-url-token-watching-transient';
const HOOK_SECRET = 'asanahooksecretwatchingtransient';
const ASANA_TASK_READ = /^GET \/tasks\/\{gid\}$/;

describe('watching an Asana handoff through transient failures at every external call (live connectors, stand-ins)', () => {
  let world: Awaited<ReturnType<typeof startWatching>>['world'];
  let b: Harness;
  let asana: AsanaStandin;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    asana = await startAsanaStandin({ users: Object.values(PEOPLE).map((p) => p.email) });
    ({ world, b, close } = await startWatching(
      ['  - id: kickoff-not-scheduled', '    after: 1 hour', '    unless: task.kickoff.started', '    notify: [project_lead]', '    then: { after: 3 seconds, notify: [sales_rep] }'],
      {
        edit: (yaml) => yaml.replace('tool: jira', 'tool: asana').replace(/^ {2}project: .*$/m, '  project: Client onboarding'),
        env: { ASANA_ACCESS_TOKEN: ASANA_TOKEN, ASANA_BASE_URL: asana.url, ASANA_WORKSPACE_GID: STANDIN_WORKSPACE, ASANA_REQUESTS_PER_SECOND: '1000', ASANA_WEBHOOK_SECRET: URL_TOKEN },
      },
    ));
  });
  afterAll(async () => {
    await close?.();
    await asana?.close();
  });

  it('escalates each stalled rung once, writes each milestone and client update once, a redelivery repeats nothing', async () => {
    const dealId = world.dealIds[0]!;
    const deal = world.hubspot.state.deals.get(dealId)!;
    expect((await world.hubspot.sendWebhook(`${b.url}/webhooks/hubspot`, [world.hubspot.moveDealToStage(dealId, 'closedwon')], TEST_SECRET)).status).toBe(200);
    const item = await waitFor(async () => (await b.api('/api/handoffs')).items.find((h: { status: string }) => h.status === 'done'), 'handoff done', 60_000);
    const handoffId: string = item.id;
    expect(asana.state.projects).toHaveLength(1);
    const projectGid = asana.state.projects[0]!.gid;
    const intro = world.slack.state.messages.find((m) => m.metadata?.event_type === 'baton_handoff_intro')!;
    expect(intro.channel).toBe(channelId(0));
    const gid = async (task: string) => (await listTaskStatus(b.rt.store, handoffId)).find((r) => r.taskId === task)!.externalId;
    const escalationPosts = () => world.slack.state.messages.filter((m) => m.channel === ESCALATIONS && m.metadata?.event_type === 'baton_escalation');
    const { runNow, settled } = checkRunner(b, handoffId);

    // Asana's webhook for the project: the handshake, then deliveries signed with the secret it set.
    const hook = `${b.url}/webhooks/asana/${projectGid}`;
    expect((await fetch(`${hook}?token=${URL_TOKEN}`, { method: 'POST', headers: { 'x-hook-secret': HOOK_SECRET } })).status).toBe(200);
    /** Delivers a signed Asana body; resolves once the status queue has done all its work, none failed for good. */
    async function deliver(body: string) {
      const res = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hook-signature': signAsanaWebhook(body, HOOK_SECRET) }, body });
      expect(res.status).toBe(200);
      await waitFor(async () => {
        const c = await b.rt.queues.status.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        expect(c.failed, 'no status job failed for good').toBe(0);
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0;
      }, 'the Asana delivery handled', 90_000);
    }
    /** Asana's thin event for a task completed just now. */
    const completedEvent = (taskGid: string) =>
      JSON.stringify({ events: [{ action: 'changed', created_at: new Date().toISOString(), resource: { gid: taskGid, resource_type: 'task' }, change: { field: 'completed', action: 'changed' } }] });

    // 1. The kickoff task is still open: rung 0's Asana read meets a 503 and its post is answered too late
    //    (Slack made the message); rung 1, a few seconds later, meets a told wait on both.
    asana.faults.inject({ kind: 'error', status: 503 }, { match: ASANA_TASK_READ, times: 1 });
    world.slack.faults.inject(LATE, { match: SLACK_POST, times: 1 });
    await runNow('kickoff-not-scheduled');
    await waitFor(async () => (await listEscalations(b.rt.store, handoffId)).find((e) => e.rung === 0 && e.status === 'sent'), 'rung 0 sent', 60_000);
    asana.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: ASANA_TASK_READ, times: 1 });
    world.slack.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: SLACK_POST, times: 1 });
    expect(await settled('kickoff-not-scheduled', 'the kickoff ladder finished')).toMatchObject({ status: 'finished', rung: 1 });
    expect(met(asana.faults, 'error', ASANA_TASK_READ)).toBe(1);
    expect(met(asana.faults, 'rate-limit', ASANA_TASK_READ)).toBe(1);
    expect(met(world.slack.faults, 'slow', SLACK_POST)).toBe(1);
    expect(met(world.slack.faults, 'rate-limit', SLACK_POST)).toBe(1);
    expect(escalationPosts().map((m) => m.metadata!.event_payload.rung)).toEqual([0, 1]);
    expect(escalationPosts()[0]!.text).toContain(`<@${PEOPLE.lead.slack}>`);
    expect(escalationPosts()[1]!.text).toContain(`<@${PEOPLE.rep.slack}>`);
    const fired = await listEscalations(b.rt.store, handoffId);
    expect(fired.map((e) => [e.triggerId, e.rung, e.status])).toEqual([
      ['kickoff-not-scheduled', 0, 'sent'],
      ['kickoff-not-scheduled', 1, 'sent'],
    ]);
    // Each recorded ts is the message Slack holds (rung 0's was found, not posted again).
    expect(fired.map((e) => e.messageTs)).toEqual(escalationPosts().map((m) => m.ts));

    // 2. The kickoff task is completed in Asana; the webhook's re-read meets a 503, a told wait and an answer
    //    after the client's timeout; the client update ("kickoff scheduled") is answered too late.
    const kickoff = await gid('kickoff');
    asana.updateTask(kickoff, { completed: true });
    asana.faults.inject({ kind: 'error', status: 503 }, { match: ASANA_TASK_READ, times: 1 });
    asana.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: ASANA_TASK_READ, times: 1 });
    asana.faults.inject(LATE, { match: ASANA_TASK_READ, times: 1 });
    world.slack.faults.inject(LATE, { match: SLACK_POST, times: 1 });
    const kickoffDelivery = completedEvent(kickoff);
    await deliver(kickoffDelivery);
    expect(met(asana.faults, 'error', ASANA_TASK_READ)).toBe(2);
    expect(met(asana.faults, 'rate-limit', ASANA_TASK_READ)).toBe(2);
    expect(met(asana.faults, 'slow', ASANA_TASK_READ)).toBe(1);
    expect(met(world.slack.faults, 'slow', SLACK_POST)).toBe(2);
    expect(deal.properties.baton_kickoff_done).toBeTruthy();

    // Asana delivers the same event again (it retries what it thinks was missed): nothing happens twice.
    const reads = () => asana.state.requests['GET /tasks/{gid}'] ?? 0;
    const readsBefore = reads();
    await deliver(kickoffDelivery);
    expect(reads(), 'the redelivery re-read the task').toBe(readsBefore + 1);
    expect(met(asana.faults, 'error', ASANA_TASK_READ) + met(asana.faults, 'rate-limit', ASANA_TASK_READ) + met(asana.faults, 'slow', ASANA_TASK_READ)).toBe(5);

    // 3. The first deliverable is completed: the re-read meets a told wait, the milestone PATCH a 503 and then
    //    an answer after the client's timeout (HubSpot wrote it), the client update a told wait.
    const first = await gid('first-deliverable');
    asana.updateTask(first, { completed: true });
    asana.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: ASANA_TASK_READ, times: 1 });
    world.hubspot.faults.inject({ kind: 'error', status: 503 }, { match: HUBSPOT_DEAL_PATCH, times: 1 });
    world.hubspot.faults.inject(LATE, { match: HUBSPOT_DEAL_PATCH, times: 1 });
    world.slack.faults.inject({ kind: 'rate-limit', retryAfterS: 1 }, { match: SLACK_POST, times: 1 });
    await deliver(completedEvent(first));
    expect(met(asana.faults, 'rate-limit', ASANA_TASK_READ)).toBe(3);
    expect(met(world.hubspot.faults, 'error', HUBSPOT_DEAL_PATCH)).toBe(1);
    expect(met(world.hubspot.faults, 'slow', HUBSPOT_DEAL_PATCH)).toBe(1);
    expect(met(world.slack.faults, 'rate-limit', SLACK_POST)).toBe(2);

    // Each effect once, nothing lost.
    await expectEachEffectOnce({ world, b }, handoffId, intro.ts);
    const audits = async (kind: string) => (await listAudit(b.rt.store, handoffId)).filter((a) => a.kind === kind);
    // Each change on the trail once: the check's first read (open), then each completion; the redelivery added none.
    expect((await audits('task.changed')).map((a) => [(a.data as { task: string }).task, a.message.match(/status ([^\s;]+) → ([^\s;]+)/)!.slice(1)])).toEqual([
      ['kickoff', ['unknown', 'Open']],
      ['kickoff', ['Open', 'Completed']],
      ['first-deliverable', ['unknown', 'Completed']],
    ]);
    // The two completed tasks read done; the others were never read (no poll here) and stay as seeded.
    const rows = Object.fromEntries((await listTaskStatus(b.rt.store, handoffId)).map((t) => [t.taskId, `${t.category}/${t.statusName}`]));
    expect(rows).toEqual({
      kickoff: 'done/Completed',
      'first-deliverable': 'done/Completed',
      'assign-lead': 'unknown/null',
      'review-doc': 'unknown/null',
      'confirm-scope': 'unknown/null',
      'setup-billing': 'unknown/null',
      'create-workspace': 'unknown/null',
    });
  }, 180_000);
});
