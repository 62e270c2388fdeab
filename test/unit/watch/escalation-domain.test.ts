// The escalation domain, pure: conditions against live state, the ladder, due moments in the mapping's
// calendar, and the Slack message (escaping, mentions, links, buttons).
import { describe, expect, it } from 'vitest';
import { describeStall, isResolved, parseUnless, type LiveState } from '../../../src/watch/watch-condition.js';
import { rungsOf } from '../../../src/watch/escalation-ladder.js';
import { atTask, checkKey, dueDateToInstant, firstDue, nextRungDue } from '../../../src/watch/check-schedule.js';
import { buildActionReply, buildEscalationMessage, decodeEscalationRef, encodeEscalationRef } from '../../../src/watch/escalation-message.js';
import { linkText, personText } from '../../../src/watch/slack-text.js';
import type { EscalationSpec } from '../../../src/mapping/schema.js';

const live = (p: Partial<LiveState> = {}): LiveState => ({ tasks: {}, documentComplete: false, deal: null, ...p });
const NY = { timezone: 'America/New_York', holidays: { country: 'US' } };

describe('conditions against live state', () => {
  it('task done = the done category; started = in progress or done; unknown never resolves', () => {
    const done = parseUnless('task.kickoff.done');
    expect(done).toEqual({ kind: 'task', taskId: 'kickoff', state: 'done' });
    expect(isResolved(done, live({ tasks: { kickoff: 'done' } }))).toBe(true);
    expect(isResolved(done, live({ tasks: { kickoff: 'in_progress' } }))).toBe(false);
    expect(isResolved(done, live({ tasks: {} }))).toBe(false);
    const started = parseUnless('task.kickoff.started');
    expect(isResolved(started, live({ tasks: { kickoff: 'in_progress' } }))).toBe(true);
    expect(isResolved(started, live({ tasks: { kickoff: 'todo' } }))).toBe(false);
    expect(isResolved(started, live({ tasks: { kickoff: 'unknown' } }))).toBe(false);
  });

  it('document.complete, field conditions (unreadable deal keeps watching), none', () => {
    expect(isResolved(parseUnless('document.complete'), live({ documentComplete: true }))).toBe(true);
    const field = parseUnless({ field: 'deal.baton_scope', exists: true });
    const ctx = (v: string | null) => ({ deal: { baton_scope: v }, company: {}, contact: {}, contacts: [], owner: {} }) as never;
    expect(isResolved(field, live({ deal: ctx('SSO') }))).toBe(true);
    expect(isResolved(field, live({ deal: ctx(null) }))).toBe(false);
    expect(isResolved(field, live({ deal: null }))).toBe(false);
    expect(isResolved(parseUnless(undefined), live({ documentComplete: true }))).toBe(false);
    expect(describeStall(parseUnless('task.kickoff.done'), () => 'Hold the kickoff')).toBe('task "Hold the kickoff" (kickoff) is not done');
    expect(describeStall(parseUnless('task.kickoff.started'))).toBe('task kickoff has not started');
    expect(describeStall(field)).toBe('deal.baton_scope is still empty');
  });
});

describe('ladder and schedule', () => {
  const spec: EscalationSpec = {
    id: 'kickoff',
    after: '2 business days',
    unless: 'task.kickoff.done',
    notify: ['project_lead', 'team_lead'],
    channel: '#delivery-escalations',
    then: { after: '24 hours', notify: ['sales_rep'], then: { after: '1 day', channel: '#leadership' } },
  };

  it('rungs inherit notify and channel from the rung before', () => {
    expect(rungsOf(spec)).toEqual([
      { index: 0, notify: ['project_lead', 'team_lead'], channel: '#delivery-escalations', after: null },
      { index: 1, notify: ['sales_rep'], channel: '#delivery-escalations', after: '24 hours' },
      { index: 2, notify: ['sales_rep'], channel: '#leadership', after: '1 day' },
    ]);
    expect(checkKey({ handoffId: 'h', triggerId: 'kickoff', rung: 2, round: 1 })).toBe('h:kickoff:2:1');
  });

  it('after: business days in the mapping calendar (Wednesday before Thanksgiving → Monday 17:00 New York)', () => {
    const closedAt = new Date('2026-11-25T15:00:00Z'); // Wed; Thu 26 is Thanksgiving, then Fri 27
    const due = firstDue(spec, { closedAt, calendar: NY, taskDueAt: () => null });
    expect(due).toEqual({ dueAt: new Date('2026-11-30T22:00:00Z'), since: closedAt });
    expect(firstDue({ ...spec, after: '90 seconds' }, { closedAt, calendar: NY, taskDueAt: () => null })!.dueAt).toEqual(new Date('2026-11-25T15:01:30Z'));
    expect(nextRungDue('24 hours', closedAt, NY)).toEqual(new Date('2026-11-26T15:00:00Z'));
    expect(nextRungDue('1 week', closedAt, NY)).toEqual(new Date('2026-12-02T15:00:00Z'));
  });

  it('at: the task due moment; no due date → no check; a tool due date → 17:00 local that day', () => {
    const at: EscalationSpec = { id: 'late', at: 'task.first-deliverable.due', notify: ['project_lead'] };
    expect(atTask(at)).toBe('first-deliverable');
    const due = new Date('2026-12-10T22:00:00Z');
    expect(firstDue(at, { closedAt: new Date(), calendar: NY, taskDueAt: (t) => (t === 'first-deliverable' ? due : null) })).toEqual({ dueAt: due, since: due });
    expect(firstDue(at, { closedAt: new Date(), calendar: NY, taskDueAt: () => null })).toBeNull();
    expect(dueDateToInstant('2026-07-01', NY)).toEqual(new Date('2026-07-01T21:00:00Z')); // EDT
    expect(dueDateToInstant('2026-12-01', NY)).toEqual(new Date('2026-12-01T22:00:00Z')); // EST
    expect(dueDateToInstant('not-a-date', NY)).toBeNull();
  });
});

describe('the escalation message', () => {
  const base = {
    ref: { handoffId: 'h-1', triggerId: 'kickoff', rung: 0, round: 0 },
    title: 'Handoff: Evil <!channel> & Co',
    stalled: 'task "Hold <@U999> kickoff" (kickoff) is not done',
    since: new Date('2026-11-25T15:00:00Z'),
    owner: { role: 'project_lead', email: 'leo@x.example', name: 'Leo <script>', userId: null },
    promised: [{ label: 'Timeline promised', value: 'Live by <!here> Friday' }],
    taskUrl: 'https://jira.example/browse/DEL-1',
    dealUrl: 'javascript:alert(1)',
    handoffUrl: 'https://baton.example/handoffs/h-1?a=1|b',
    notify: [
      { role: 'project_lead', email: 'leo@x.example', name: 'Leo', userId: 'U0LEO' },
      { role: 'team_lead', email: 'ops@x.example', name: null, userId: null },
    ],
    snoozed: false,
    snoozeMs: 86_400_000,
  };

  it('escapes every untrusted piece, mentions known people, and drops unsafe links', () => {
    const m = buildEscalationMessage(base);
    const all = m.text + JSON.stringify(m.blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<@U999>');
    expect(all).toContain('&lt;!channel&gt; &amp; Co');
    expect(all).toContain('<@U0LEO>');
    expect(all).toContain('ops@x.example');
    expect(all).toContain('Leo &lt;script&gt;');
    expect(all).not.toContain('javascript:');
    expect(all).toContain('<https://jira.example/browse/DEL-1|Task>');
    expect(all).toContain('<https://baton.example/handoffs/h-1?a=1%7Cb|Handoff on the dashboard>');
    expect(all).toContain('<!date^1795618800^');
    // The mention is in the notification text as well, so the people are pinged.
    expect(m.text).toContain('<@U0LEO>');
  });

  it('buttons carry the exact rung; junk values decode to null', () => {
    const m = buildEscalationMessage({ ...base, ref: { ...base.ref, rung: 2, round: 1 }, snoozed: true });
    const actions = m.blocks.find((b) => (b as { type: string }).type === 'actions') as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['baton_escalation_ack', 'baton_escalation_snooze']);
    expect(decodeEscalationRef(actions.elements[0]!.value)).toEqual({ handoffId: 'h-1', triggerId: 'kickoff', rung: 2, round: 1 });
    expect(JSON.stringify(m.blocks)).toContain('escalation level 3');
    expect(JSON.stringify(m.blocks)).toContain('still stalled after a snooze');
    expect(decodeEscalationRef(encodeEscalationRef({ handoffId: 'a', triggerId: 'b', rung: 0, round: 0 }))).toEqual({ handoffId: 'a', triggerId: 'b', rung: 0, round: 0 });
    for (const junk of ['', '{', '{"h":1}', '{"h":"a","t":"b","r":0.5,"n":0}', 'x'.repeat(600), 42]) expect(decodeEscalationRef(junk)).toBeNull();
  });

  it('the Snooze button names the configured snooze (BATON_SNOOZE_SECONDS), in whole human units', () => {
    const snoozeLabel = (snoozeMs: number) => {
      const actions = buildEscalationMessage({ ...base, snoozeMs }).blocks.find((b) => (b as { type: string }).type === 'actions') as { elements: { action_id: string; text: { text: string } }[] };
      return actions.elements.find((e) => e.action_id === 'baton_escalation_snooze')!.text.text;
    };
    expect(snoozeLabel(4 * 3_600_000)).toBe('Snooze 4 hours');
    expect(snoozeLabel(86_400_000)).toBe('Snooze 1 day');
    expect(snoozeLabel(3 * 86_400_000)).toBe('Snooze 3 days');
    expect(snoozeLabel(14 * 86_400_000)).toBe('Snooze 2 weeks');
    expect(snoozeLabel(90 * 60_000)).toBe('Snooze 90 minutes');
    expect(snoozeLabel(2_000)).toBe('Snooze 2 seconds');
  });

  it('helpers: person and link text', () => {
    expect(personText({ role: 'sales_rep', email: null, name: null, userId: null })).toBe('the sales rep');
    expect(personText({ role: 'r', email: 'a@b.c', name: null, userId: 'not-an-id' })).toBe('a@b.c');
    expect(linkText('ftp://x', 'X')).toBeNull();
    expect(linkText('https://x.example/a>b', 'A|B')).toBe('<https://x.example/a%3Eb|A¦B>');
    expect(buildActionReply('ack', 'U123')).toContain('<@U123>');
    expect(buildActionReply('ack', '<!channel>')).toContain('&lt;!channel&gt;');
  });
});
