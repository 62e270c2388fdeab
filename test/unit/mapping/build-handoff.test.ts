import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CrmDeal } from '../../../src/handoff/ports.js';
import { SECTION_IDS } from '../../../src/handoff/types.js';
import { buildHandoff, MappingRenderError } from '../../../src/mapping/build-handoff.js';
import { buildTemplateContext } from '../../../src/mapping/context.js';
import { resolvePeople } from '../../../src/mapping/people.js';
import { FIXTURES, fixtureDeal, mustParse } from './helpers.js';

const mapping = mustParse(readFileSync(`${FIXTURES}build.yaml`, 'utf8'));
// Tuesday before US Thanksgiving (Thursday 2026-11-26), 10:00 in New York.
const closedAt = new Date('2026-11-24T15:00:00Z');

function withProps(props: Record<string, string | null>, base: CrmDeal = fixtureDeal()): CrmDeal {
  return { ...base, properties: { ...base.properties, ...props } };
}

describe('buildHandoff: the document', () => {
  it('a complete deal gives a complete document, sections in the fixed order', () => {
    const { document } = buildHandoff(mapping, fixtureDeal(), { closedAt });
    expect(document.title).toBe('Handoff: Acme Corp — Analytics rollout');
    expect(document.complete).toBe(true);
    expect(document.missing).toEqual([]);
    expect(document.sections.map((s) => s.id)).toEqual(['contact', 'scope', 'risks', 'stakeholders']);
    expect(SECTION_IDS.filter((id) => document.sections.some((s) => s.id === id))).toEqual(document.sections.map((s) => s.id));
    expect(document.sections[0]).toEqual({
      id: 'contact',
      title: 'Primary contact and communication preferences',
      fields: [
        { key: 'primary-contact', label: 'Primary contact', value: 'Dana Whitfield', required: true, missing: false },
        {
          key: 'communication-preferences',
          label: 'Communication preferences',
          value: 'Slack for day-to-day, email for anything contractual; no calls before 10am ET.',
          required: false,
          missing: false,
        },
      ],
    });
    expect(document.sections[1]?.fields.map((f) => f.key)).toEqual(['scope-sold', 'deviations']);
  });

  it('an incomplete deal lists exactly the missing required fields; blank counts as missing', () => {
    const incomplete = withProps({ baton_scope: null, baton_risks: '   \n ', baton_scope_deviations: null });
    const { document } = buildHandoff(mapping, { ...incomplete, contacts: [] }, { closedAt });
    expect(document.complete).toBe(false);
    expect(document.missing).toEqual([
      { section: 'contact', key: 'primary-contact', label: 'Primary contact' },
      { section: 'scope', key: 'scope-sold', label: 'Scope sold' },
      { section: 'risks', key: 'known-risks', label: 'Known risks' },
    ]);
    const scope = document.sections.find((s) => s.id === 'scope');
    // An optional empty field is marked missing too, but does not make the document incomplete.
    expect(scope?.fields).toEqual([
      { key: 'scope-sold', label: 'Scope sold', value: null, required: true, missing: true },
      { key: 'deviations', label: 'Deviations', value: null, required: false, missing: true },
    ]);
  });

  it('keeps client text as it is (escaping is the renderers\' job)', () => {
    const { document } = buildHandoff(mapping, withProps({ baton_scope: '<!channel> *bold* & <b>' }), { closedAt });
    expect(document.sections.find((s) => s.id === 'scope')?.fields[0]?.value).toBe('<!channel> *bold* & <b>');
  });
});

describe('buildHandoff: people', () => {
  it('resolves from the owner (with name), from a deal field, and static addresses', () => {
    const { people } = buildHandoff(mapping, fixtureDeal(), { closedAt });
    expect(people).toEqual({
      sales_rep: { role: 'sales_rep', email: 'sam.rep@example.com', name: 'Sam Rivera', source: 'owner.email' },
      project_lead: { role: 'project_lead', email: 'priya.lead@example.com', name: null, source: 'deal.baton_project_lead_email' },
      team_lead: { role: 'team_lead', email: 'ops-lead@example.com', name: 'Ops Lead', source: 'static' },
    });
  });

  it('falls back when the field is empty or not an email; missing when no fallback', () => {
    const notEmail = withProps({ baton_project_lead_email: 'Priya from delivery' });
    const ctx = buildTemplateContext({ ...notEmail, owner: null });
    const people = resolvePeople(mapping, ctx);
    expect(people.project_lead).toEqual({ role: 'project_lead', email: 'leads@example.com', name: null, source: 'fallback' });
    expect(people.sales_rep).toEqual({ role: 'sales_rep', email: null, name: null, source: 'missing' });
  });
});

describe('buildHandoff: the work plan', () => {
  const built = buildHandoff(mapping, fixtureDeal(), { closedAt });
  const task = (id: string) => {
    const t = built.work.tasks.find((x) => x.id === id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  };

  it('due dates chain through `after`, in business days, skipping Thanksgiving', () => {
    // a: 1 business day after Tue 24 -> Wed 25, 17:00 EST (22:00Z).
    expect([task('a').dueDate, task('a').dueAt]).toEqual(['2026-11-25', '2026-11-25T22:00:00.000Z']);
    // b: 1 business day after a's due: Thu 26 is Thanksgiving -> Fri 27.
    expect([task('b').dueDate, task('b').dueAt]).toEqual(['2026-11-27', '2026-11-27T22:00:00.000Z']);
    // c has no due: no date, and it passes a's due on to what waits for it.
    expect([task('c').dueDate, task('c').dueAt]).toEqual([null, null]);
    // d waits for b (Fri 27) and c (Wed 25): 2 business days from the latest -> Mon 30, Tue Dec 1.
    expect([task('d').dueDate, task('d').dueAt]).toEqual(['2026-12-01', '2026-12-01T22:00:00.000Z']);
    // e: an exact duration from the close, holiday or not.
    expect([task('e').dueDate, task('e').dueAt]).toEqual(['2026-11-26', '2026-11-26T15:00:00.000Z']);
    expect(built.kickoffDue).toBe('2026-12-01');
  });

  it('tasks keep mapping order, owners, dependencies, labels and rendered fields', () => {
    expect(built.work).toMatchObject({ tool: 'jira', project: 'DEL', parent: { summary: 'Acme Corp onboarding' } });
    expect(built.work.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(task('a')).toMatchObject({ summary: 'Assign lead for Acme Corp', assigneeRole: 'team_lead', assigneeEmail: 'ops-lead@example.com', after: [], labels: ['baton'] });
    expect(task('b')).toMatchObject({ assigneeEmail: 'priya.lead@example.com', after: ['a'], labels: ['baton', 'review'], description: null });
    expect(task('c')).toMatchObject({ assigneeRole: null, assigneeEmail: null });
    expect(task('d')).toMatchObject({
      summary: 'Kickoff with Dana',
      description: 'Client asked for 2026-03-16',
      after: ['b', 'c'],
      fields: { customfield_10020: '2026-03-16', customfield_10030: { value: 'newbusiness' }, story_points: 3 },
    });
  });

  it('the calendar is the mapping\'s', () => {
    expect(built.calendar).toEqual({ timezone: 'America/New_York', holidays: { country: 'US' } });
  });
});

describe('buildHandoff: the Slack intro', () => {
  it('escapes deal values for mrkdwn before interpolation; the admin\'s own mrkdwn stays', () => {
    const hostile = withProps({ dealname: '<!channel> *bold*', baton_comm_preferences: 'Tom & Jerry <@U123> <https://evil.example|click>' });
    const { intro } = buildHandoff(mapping, hostile, { closedAt });
    expect(intro).toEqual({
      tool: 'slack',
      channel: 'C07ACMEDEL1',
      threadTs: '1741275000.123456',
      text:
        '*Welcome!* &lt;!channel&gt; *bold*: meet priya.lead@example.com. Kickoff by 2026-12-01. ' +
        'Notes: Tom &amp; Jerry &lt;@U123&gt; &lt;https://evil.example|click&gt;',
    });
    expect(intro.text).not.toMatch(/<[!@h]/);
  });

  it('no channel on the deal: channel and thread are null', () => {
    const { intro } = buildHandoff(mapping, withProps({ baton_client_slack_channel: null, baton_client_thread_ts: ' ' }), { closedAt });
    expect(intro.channel).toBeNull();
    expect(intro.threadTs).toBeNull();
  });

  it('a mapping without `thread` plans no intro', () => {
    const text = readFileSync(`${FIXTURES}build.yaml`, 'utf8');
    const noThread = mustParse(text.slice(0, text.indexOf('thread:')));
    expect(buildHandoff(noThread, fixtureDeal(), { closedAt }).intro).toEqual({ tool: 'slack', channel: null, threadTs: null, text: '' });
  });
});

describe('buildHandoff: robustness', () => {
  it('a deal without company, contacts or owner still builds (templates render empty)', () => {
    const bare: CrmDeal = { ...fixtureDeal(), company: null, contacts: [], owner: null };
    const built = buildHandoff(mapping, bare, { closedAt });
    expect(built.work.parent.summary).toBe('onboarding');
    expect(built.work.tasks.find((t) => t.id === 'd')?.summary).toBe('Kickoff with');
    expect(built.document.title).toBe('Handoff: — Analytics rollout');
  });

  it('a template that fails at render time throws MappingRenderError naming mapping, key and task', () => {
    const text = readFileSync(`${FIXTURES}build.yaml`, 'utf8').replace(
      'summary: Review,',
      'summary: "{% for i in (1..200000) %}x{% endfor %}",',
    );
    const heavy = mustParse(text);
    expect(() => buildHandoff(heavy, fixtureDeal(), { closedAt })).toThrow(MappingRenderError);
    expect(() => buildHandoff(heavy, fixtureDeal(), { closedAt })).toThrow(
      /^mapping build-test, work\.tasks\[1\]\.summary \(task b\): cannot render template: rendering took more than 20,000 steps \(step limit/,
    );
  });

  it('a person name template that fails at render time names mapping, role and key too', () => {
    const text = readFileSync(`${FIXTURES}build.yaml`, 'utf8').replace('name: Ops Lead', 'name: "{% for i in (1..200000) %}x{% endfor %}"');
    expect(() => buildHandoff(mustParse(text), fixtureDeal(), { closedAt })).toThrow(
      /^mapping build-test, people\.team_lead\.name: cannot render template: rendering took more than 20,000 steps/,
    );
  });

  it('is pure: the same input gives the same output', () => {
    expect(buildHandoff(mapping, fixtureDeal(), { closedAt })).toEqual(buildHandoff(mapping, fixtureDeal(), { closedAt }));
  });
});
