// Escalation checks end to end on real Redis delayed jobs: every trigger kind fires when its condition
// still holds at the due moment, does not when the live state resolved it, moves with a due date, climbs
// the ladder, stops on Acknowledge, re-checks after Snooze, and stops with a deleted deal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/baton-harness.js';
import { ESC_CHANNEL, PEOPLE, jiraIssueUpdated, sleep, startWatchWorld, watchMapping, type WatchWorld } from './watch-world.js';
import { getCheck, listEscalations } from '../../../src/store/escalation-repo.js';
import { listAudit } from '../../../src/store/audit-repo.js';
import { getTaskStatus } from '../../../src/store/task-status-repo.js';
import { checkJobId } from '../../../jobs/escalation/check-jobs.js';
import { listSteps } from '../../../src/store/step-repo.js';

const LADDER = watchMapping(
  'watch-ladder',
  `escalations:
  - id: kickoff-not-done
    after: 2 seconds
    unless: task.kickoff.done
    notify: [project_lead, team_lead]
    channel: ${ESC_CHANNEL}
    then: { after: 2 seconds, notify: [sales_rep] }`,
);
const DOC = watchMapping(
  'watch-doc',
  `escalations:
  - id: document-incomplete
    after: 2 seconds
    unless: document.complete
    notify: [sales_rep]
    channel: ${ESC_CHANNEL}`,
);
const AT = watchMapping(
  'watch-at',
  `escalations:
  - id: first-deliverable-late
    at: task.first-deliverable.due
    unless: task.first-deliverable.done
    notify: [project_lead, team_lead, sales_rep]
    channel: ${ESC_CHANNEL}`,
);
const FIELD = watchMapping(
  'watch-field',
  `escalations:
  - id: no-kickoff-target
    after: 1 second
    unless: { field: deal.baton_kickoff_target, exists: true }
    notify: [sales_rep]
    channel: ${ESC_CHANNEL}`,
);

describe('escalation checks (real Redis delayed jobs)', () => {
  let w: WatchWorld;
  beforeAll(async () => {
    w = await startWatchWorld({ mappings: { 'watch-ladder': LADDER, 'watch-doc': DOC, 'watch-at': AT, 'watch-field': FIELD } });
  });
  afterAll(async () => {
    await w.close();
  });

  it('fires when the task is still not done, then climbs the ladder once per rung, then stops', async () => {
    const { handoff, issues } = await w.seed({ mapping: 'watch-ladder', dealId: '8101' });
    const steps = await listSteps(w.b.rt.store, handoff.id);
    expect(steps.find((s) => s.stepId === 'schedule-checks')).toMatchObject({ status: 'done', externalIds: { checks: ['kickoff-not-done'] } });
    expect(w.escalations(handoff.id)).toHaveLength(0);

    const [first] = await waitFor(async () => w.escalations(handoff.id).length >= 1 && w.escalations(handoff.id), 'rung 0', 10_000);
    expect(first!.channel).toBe(ESC_CHANNEL);
    // What stalled, the owner, the promise, links, mentions of the people to notify, and the buttons.
    expect(first!.text).toContain('Hold the kickoff');
    const section = JSON.stringify(first!.blocks);
    expect(section).toContain('is not done');
    expect(section).toContain(`<@${PEOPLE.lead.slack}>`);
    expect(section).toContain(`<@${PEOPLE.team.slack}>`);
    expect(section).not.toContain(`<@${PEOPLE.rep.slack}>`);
    expect(section).toContain('Timeline promised');
    expect(section).toContain(`/browse/DEL-${issues.kickoff}`);
    expect(section).toContain(`/handoffs/${handoff.id}`);
    expect(section).toContain('baton_escalation_ack');
    expect(section).toContain('baton_escalation_snooze');
    // The button names the configured snooze (BATON_SNOOZE_SECONDS=2 in this world).
    expect(section).toContain('"text":"Snooze 2 seconds"');
    // The live status was read from Jira at the due moment.
    expect(w.jira.requests.some((r) => r.startsWith('POST /rest/api/3/search/jql'))).toBe(true);

    const two = await waitFor(async () => w.escalations(handoff.id).length >= 2 && w.escalations(handoff.id), 'rung 1', 10_000);
    expect(JSON.stringify(two[1]!.blocks)).toContain(`<@${PEOPLE.rep.slack}>`);
    expect(JSON.stringify(two[1]!.blocks)).toContain('escalation level 2');
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'finished', 'ladder finished');
    await sleep(2_500);
    expect(w.escalations(handoff.id)).toHaveLength(2);
    const rows = await listEscalations(w.b.rt.store, handoff.id);
    expect(rows.map((r) => [r.rung, r.round, r.status])).toEqual([
      [0, 0, 'sent'],
      [1, 0, 'sent'],
    ]);
  });

  it('does not fire when the tool says the task is done at the due moment ("done" = status category)', async () => {
    // The status is called "Shipped", not "Done": only its category counts.
    const { handoff } = await w.seed({ mapping: 'watch-ladder', dealId: '8102', jira: { status: 'Shipped', category: 'done' } });
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'resolved', 'resolved', 10_000);
    await sleep(2_500);
    expect(w.escalations(handoff.id)).toHaveLength(0);
    expect((await getTaskStatus(w.b.rt.store, handoff.id, 'kickoff'))).toMatchObject({ category: 'done', statusName: 'Shipped' });
    expect((await listAudit(w.b.rt.store, handoff.id)).map((a) => a.kind)).toContain('escalation.resolved');
  });

  it('a Jira webhook saying done resolves the check before it is due and removes its job', async () => {
    const { handoff, issues } = await w.seed({ mapping: 'watch-ladder', dealId: '8103' });
    const jobId = checkJobId({ handoffId: handoff.id, triggerId: 'kickoff-not-done', rung: 0, round: 0 });
    expect(await (await w.b.rt.queues.watch.getJob(jobId))?.isDelayed()).toBe(true);
    w.jira.set(issues.kickoff!, { status: 'Done', category: 'done' });
    const res = await w.jiraWebhook(jiraIssueUpdated(issues.kickoff!, { status: 'Done', category: 'done' }), { id: 'delivery-8103' });
    expect(res.status).toBe(200);
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'resolved', 'resolved by webhook', 5_000);
    expect(await w.b.rt.queues.watch.getJob(jobId)).toBeUndefined();
    await sleep(3_000);
    expect(w.escalations(handoff.id)).toHaveLength(0);
  });

  it('Acknowledge records who and when and stops the ladder', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-ladder', dealId: '8104' });
    const [first] = await waitFor(async () => w.escalations(handoff.id).length >= 1 && w.escalations(handoff.id), 'rung 0', 10_000);
    expect((await w.click('baton_escalation_ack', first!)).status).toBe(200);
    const check = await waitFor(async () => {
      const c = await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done');
      return c?.status === 'acknowledged' && c;
    }, 'acknowledged', 5_000);
    expect(check.ackedBy).toContain(PEOPLE.team.slack);
    expect(Date.parse(check.ackedAt!)).toBeGreaterThan(Date.now() - 10_000);
    // The reply under the message says who acknowledged.
    await waitFor(async () => w.slack.state.messages.some((m) => m.thread_ts === first!.ts && m.text.includes('Acknowledged by')), 'ack reply');
    await sleep(3_500); // past rung 1's due moment
    expect(w.escalations(handoff.id)).toHaveLength(1);
    // A second click changes nothing.
    expect((await w.click('baton_escalation_ack', first!)).status).toBe(200);
    await sleep(500);
    expect((await listAudit(w.b.rt.store, handoff.id)).filter((a) => a.kind === 'escalation.acknowledged')).toHaveLength(1);
  });

  it('Snooze re-checks the same rung after the snooze; a resolved condition then stays quiet', async () => {
    const { handoff, issues } = await w.seed({ mapping: 'watch-ladder', dealId: '8105' });
    const [first] = await waitFor(async () => w.escalations(handoff.id).length >= 1 && w.escalations(handoff.id), 'rung 0', 10_000);
    expect((await w.click('baton_escalation_snooze', first!)).status).toBe(200);
    const snoozed = await waitFor(async () => {
      const c = await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done');
      return c?.snoozedBy && c;
    }, 'snoozed', 5_000);
    expect(snoozed).toMatchObject({ status: 'pending', rung: 0, round: 1 });
    // Rung 1 would have been due 2 s after rung 0; the snooze (2 s in tests) re-checks rung 0 instead.
    const again = await waitFor(async () => w.escalations(handoff.id).length >= 2 && w.escalations(handoff.id), 're-check after snooze', 10_000);
    expect(again[1]!.text).toContain('Hold the kickoff');
    expect(JSON.stringify(again[1]!.blocks)).toContain('still stalled after a snooze');
    expect((await listEscalations(w.b.rt.store, handoff.id)).map((r) => [r.rung, r.round])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    // Snoozing the re-check, and meanwhile the task gets done: nothing more is sent.
    expect((await w.click('baton_escalation_snooze', again[1]!)).status).toBe(200);
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.round === 2, 'second snooze');
    w.jira.set(issues.kickoff!, { status: 'Done', category: 'done' });
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'resolved', 'resolved after snooze', 10_000);
    expect(w.escalations(handoff.id)).toHaveLength(2);
  });

  it('document.complete: fires while the deal lacks a required field; filling it in resolves the next one', async () => {
    const a = await w.seed({ mapping: 'watch-doc', dealId: '8106', props: { baton_scope: null } });
    expect(a.handoff.complete).toBe(false);
    const [msg] = await waitFor(async () => w.escalations(a.handoff.id).length >= 1 && w.escalations(a.handoff.id), 'doc escalation', 10_000);
    expect(JSON.stringify(msg!.blocks)).toContain('document is still incomplete');
    expect(JSON.stringify(msg!.blocks)).toContain(`<@${PEOPLE.rep.slack}>`);

    const b = await w.seed({ mapping: 'watch-doc', dealId: '8107', props: { baton_scope: null } });
    await w.writeDeal('8107', { baton_scope: 'Filled in after the close' }); // the rep fixes the deal in the CRM
    await waitFor(async () => (await getCheck(w.b.rt.store, b.handoff.id, 'document-incomplete'))?.status === 'resolved', 'doc resolved', 10_000);
    expect(w.escalations(b.handoff.id)).toHaveLength(0);
  });

  it('field condition: fires while the deal field is empty', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-field', dealId: '8108', props: { baton_kickoff_target: null } });
    await waitFor(async () => w.escalations(handoff.id).length === 1, 'field escalation', 10_000);
    expect(JSON.stringify(w.escalations(handoff.id)[0]!.blocks)).toContain('deal.baton_kickoff_target is still empty');
    const other = await w.seed({ mapping: 'watch-field', dealId: '8109', props: { baton_kickoff_target: '2026-12-01' } });
    await waitFor(async () => (await getCheck(w.b.rt.store, other.handoff.id, 'no-kickoff-target'))?.status === 'resolved', 'field resolved', 10_000);
  });

  it('at: task.<id>.due fires at the due moment; a moved due date moves the check', async () => {
    // Fires at the due moment.
    const soon = await w.seed({ mapping: 'watch-at', dealId: '8110', dueAt: { 'first-deliverable': new Date(Date.now() + 2_000) } });
    await waitFor(async () => w.escalations(soon.handoff.id).length === 1, 'at escalation', 10_000);

    // Moved: the due date goes to next year in Jira → the check and its job move; nothing fires at the old moment.
    const moved = await w.seed({ mapping: 'watch-at', dealId: '8111', dueAt: { 'first-deliverable': new Date(Date.now() + 3_000) } });
    const id = moved.issues['first-deliverable']!;
    const next = `${new Date().getUTCFullYear() + 1}-06-15`;
    w.jira.set(id, { duedate: next });
    expect((await w.jiraWebhook(jiraIssueUpdated(id, { status: 'In Progress', category: 'indeterminate', duedate: next, changed: ['duedate'] }), { id: 'delivery-8111' })).status).toBe(200);
    const check = await waitFor(async () => {
      const c = await getCheck(w.b.rt.store, moved.handoff.id, 'first-deliverable-late');
      return c?.dueAt.startsWith(next) && c;
    }, 'check moved', 5_000);
    expect(check.dueAt).toBe(`${next}T17:00:00.000Z`); // end of the working day, mapping timezone (UTC)
    const job = await w.b.rt.queues.watch.getJob(checkJobId({ handoffId: moved.handoff.id, triggerId: 'first-deliverable-late', rung: 0, round: 0 }));
    expect(job!.timestamp + (job!.delay ?? 0)).toBeGreaterThan(Date.now() + 100 * 24 * 3600_000);
    await sleep(4_000);
    expect(w.escalations(moved.handoff.id)).toHaveLength(0);

    // Moved into the past (it was due yesterday): fires now.
    const past = '2020-01-02';
    w.jira.set(id, { duedate: past });
    expect((await w.jiraWebhook(jiraIssueUpdated(id, { status: 'In Progress', category: 'indeterminate', duedate: past, changed: ['duedate'] }), { id: 'delivery-8111b' })).status).toBe(200);
    await waitFor(async () => w.escalations(moved.handoff.id).length === 1, 'fires after moving into the past', 10_000);
    expect((await listAudit(w.b.rt.store, moved.handoff.id)).map((a) => a.kind)).toEqual(expect.arrayContaining(['task.changed', 'escalation.moved', 'escalation.sent']));
  });

  it('a deleted deal stops its checks', async () => {
    const { handoff } = await w.seed({ mapping: 'watch-ladder', dealId: '8112' });
    const res = await w.b.post([{ eventId: 9, subscriptionId: 1, portalId: 62515, appId: 9090, occurredAt: Date.now(), subscriptionType: 'deal.deletion', attemptNumber: 0, objectId: 8112, changeSource: 'CRM_UI' }]);
    expect(res.status).toBe(200);
    await waitFor(async () => (await getCheck(w.b.rt.store, handoff.id, 'kickoff-not-done'))?.status === 'cancelled', 'cancelled', 5_000);
    expect(await w.b.rt.queues.watch.getJob(checkJobId({ handoffId: handoff.id, triggerId: 'kickoff-not-done', rung: 0, round: 0 }))).toBeUndefined();
    await sleep(2_500);
    expect(w.escalations(handoff.id)).toHaveLength(0);
  });
});
