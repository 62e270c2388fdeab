// Live status from the delivery tools: Jira webhooks (deduped on the delivery id) and Asana webhooks
// update the handoff's tasks and trail; the periodic reconciliation catches a webhook that never came;
// milestones reach the CRM deal and, when the mapping asks, the client's thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/baton-harness.js';
import { CLIENT_CHANNEL, ESC_CHANNEL, PEOPLE, jiraIssueUpdated, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { startAsanaStandin, STANDIN_TOKEN as ASANA_TOKEN, type AsanaStandin } from '../../standins/asana-standin.js';
import { signAsanaWebhook } from '../../../connectors/asana/verify-webhook.js';
import { getCheck } from '../../../src/store/escalation-repo.js';
import { listAudit } from '../../../src/store/audit-repo.js';
import { getTaskStatus, listTaskStatus } from '../../../src/store/task-status-repo.js';
import { listDryRuns } from '../../../src/store/dry-run-repo.js';
import { listSteps } from '../../../src/store/step-repo.js';

const JIRA_MAPPING = watchMapping(
  'watch-status',
  `escalations:
  - { id: kickoff-not-done, after: 1 hour, unless: task.kickoff.done, notify: [project_lead], channel: ${ESC_CHANNEL} }
client_updates:
  kickoff: "Our kickoff is on the calendar. See you there!"
  first_deliverable: "Your first deliverable is ready."`,
);
const ASANA_MAPPING = watchMapping(
  'watch-asana',
  `escalations:
  - { id: kickoff-not-done, after: 1 hour, unless: task.kickoff.done, notify: [project_lead], channel: ${ESC_CHANNEL} }`,
).replace('tool: jira', 'tool: asana').replace('project: DEL', 'project: "1100000000000099"');

describe('live task status from Jira and Asana', () => {
  let w: WatchWorld;
  let asana: AsanaStandin;
  beforeAll(async () => {
    asana = await startAsanaStandin({ users: [PEOPLE.lead.email] });
    w = await startWatchWorld({
      mappings: { 'watch-status': JIRA_MAPPING, 'watch-asana': ASANA_MAPPING },
      // The reconciliation polls every second here (default 5 minutes).
      env: { BATON_WATCH_POLL_SECONDS: '1', ASANA_ACCESS_TOKEN: ASANA_TOKEN, ASANA_BASE_URL: asana.url, ASANA_WEBHOOK_SECRET: 'asana-url-token-1234', ASANA_REQUESTS_PER_SECOND: '1000' },
    });
  });
  afterAll(async () => {
    await w.close();
    await asana.close();
  });

  it('a Jira webhook updates status, assignee and due date on the trail; a redelivery (same identifier) does nothing', async () => {
    // The poll would see the same state; keep Jira's view equal to the webhook's so only the webhook speaks.
    const { handoff, issues } = await w.seed({ mapping: 'watch-status', dealId: '8201' });
    const id = issues['first-deliverable']!;
    await waitFor(async () => (await getTaskStatus(w.b.rt.store, handoff.id, 'first-deliverable'))?.category === 'in_progress', 'first poll');
    w.jira.set(id, { status: 'In Review', category: 'indeterminate', assignee: PEOPLE.team.email, duedate: '2031-03-03' });
    const hook = jiraIssueUpdated(id, { status: 'In Review', category: 'indeterminate', assignee: PEOPLE.team.email, duedate: '2031-03-03', changed: ['status', 'assignee', 'duedate'] });
    expect((await w.jiraWebhook(hook, { id: 'dup-8201' })).status).toBe(200);
    expect((await w.jiraWebhook(hook, { id: 'dup-8201' })).status).toBe(200);
    const row = await waitFor(async () => {
      const r = await getTaskStatus(w.b.rt.store, handoff.id, 'first-deliverable');
      return r?.statusName === 'In Review' && r;
    }, 'status stored');
    expect(row).toMatchObject({ assignee: PEOPLE.team.email, dueDate: '2031-03-03', category: 'in_progress' });
    await new Promise((r) => setTimeout(r, 1_500));
    const changes = (await listAudit(w.b.rt.store, handoff.id)).filter((a) => a.kind === 'task.changed' && a.message.includes('first-deliverable') && a.message.includes('In Review'));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.message).toMatch(/assignee .* → tess\.team@baton\.example/);
    expect(changes[0]!.message).toContain('due ');
  });

  it('reconciliation: a status change whose webhook never came is picked up by the poll and resolves the check', async () => {
    const { handoff, issues } = await w.seed({ mapping: 'watch-status', dealId: '8202' });
    expect((await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status).toBe('pending');
    w.jira.set(issues.kickoff!, { status: 'Done', category: 'done' }); // no webhook
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'resolved', 'resolved by the poll', 10_000);
    // The trail line is committed with the task row, just after the effects (the check resolved).
    const line = await waitFor(async () => (await listAudit(w.b.rt.store, handoff.id)).find((a) => a.kind === 'task.changed' && a.message.includes('kickoff')), 'task.changed on the trail');
    expect(line.data).toMatchObject({ source: 'poll' });
  });

  it('milestones: kickoff under way → client update; kickoff done → CRM status and date; first deliverable done → client update', async () => {
    const { handoff, issues } = await w.seed({ mapping: 'watch-status', dealId: '8203', jira: { status: 'To Do', category: 'new' } });
    const introTs = (await listSteps(w.b.rt.store, handoff.id)).find((st) => st.stepId === 'post-intro')!.externalIds.threadTs;
    const thread = () => w.slack.state.messages.filter((m) => m.channel === CLIENT_CHANNEL && m.thread_ts !== undefined && m.metadata?.event_payload.handoff_id === handoff.id);
    w.jira.set(issues.kickoff!, { status: 'Scheduled', category: 'indeterminate' });
    await waitFor(async () => thread().length === 1, 'kickoff update', 10_000);
    expect(thread()[0]).toMatchObject({ thread_ts: expect.any(String), text: 'Our kickoff is on the calendar. See you there!' });

    w.jira.set(issues.kickoff!, { status: 'Done', category: 'done' });
    const milestone = await waitFor(async () => (await listDryRuns(w.b.rt.store, handoff.id)).find((r) => r.action === 'writeMilestone'), 'CRM milestone', 10_000);
    const today = new Date().toISOString().slice(0, 10);
    expect(milestone.payload).toMatchObject({
      dealId: '8203',
      milestone: 'kickoff',
      requests: [{ method: 'PATCH', path: '/crm/v3/objects/deals/8203', body: { properties: { baton_status: 'kickoff_done', baton_kickoff_done: String(Date.parse(today)) } } }],
    });

    w.jira.set(issues['first-deliverable']!, { status: 'Delivered', category: 'done' });
    await waitFor(async () => thread().length === 2, 'first deliverable update', 10_000);
    expect(thread()[1]!.text).toBe('Your first deliverable is ready.');
    // Threaded under the intro, each once, even though the poll keeps running.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(thread().map((m) => m.thread_ts)).toEqual([introTs, introTs]);
    expect(thread()).toHaveLength(2);
    expect((await listDryRuns(w.b.rt.store, handoff.id)).filter((r) => r.action === 'writeMilestone').map((r) => (r.payload as { milestone: string }).milestone).sort()).toEqual(['first_deliverable', 'kickoff']);
  });

  it('Asana: a signed webhook makes Baton re-read the task; completed → done, and the check resolves', async () => {
    // Tasks as the Asana connector would have created them.
    const gids = { kickoff: '1300000000000001', 'first-deliverable': '1300000000000002' };
    for (const [id, gid] of Object.entries(gids)) {
      asana.state.tasks.push({ gid, name: id, notes: '', assignee: null, due_on: '2031-01-01', due_at: null, projects: ['1100000000000099'], memberships: [], external: null, dependencies: [], fields: {}, created_at: new Date().toISOString() });
    }
    const { handoff } = await w.seed({ mapping: 'watch-asana', dealId: '8204', taskIds: gids });
    const handshake = await fetch(`${w.b.url}/webhooks/asana?token=asana-url-token-1234`, { method: 'POST', headers: { 'x-hook-secret': 'secretsecretsecret1234' } });
    expect(handshake.status).toBe(200);

    asana.state.tasks.find((t) => t.gid === gids.kickoff)!.fields.completed = true;
    const body = JSON.stringify({ events: [{ action: 'changed', created_at: new Date().toISOString(), resource: { gid: gids.kickoff, resource_type: 'task' }, change: { field: 'completed', action: 'changed' } }] });
    const res = await fetch(`${w.b.url}/webhooks/asana`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hook-signature': signAsanaWebhook(body, 'secretsecretsecret1234') }, body });
    expect(res.status).toBe(200);
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'resolved', 'asana resolved', 10_000);
    const rows = await listTaskStatus(w.b.rt.store, handoff.id);
    expect(rows.find((r) => r.taskId === 'kickoff')).toMatchObject({ category: 'done', statusName: 'Completed', tool: 'asana' });
    // The other task is read by the reconciliation poll: open in Asana = todo.
    await waitFor(async () => (await getTaskStatus(w.b.rt.store, handoff.id, 'first-deliverable'))?.category === 'todo', 'poll reads asana');
  });
});
