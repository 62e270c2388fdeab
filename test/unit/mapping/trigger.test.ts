import { describe, expect, it } from 'vitest';
import { dealReadRequest, matchTrigger, referencedProperties, triggerStageIds } from '../../../src/mapping/trigger.js';
import { BASE_YAML, deal, mustParse, PIPELINES, withLine } from './helpers.js';

function mapping(trigger: string[], extra = '') {
  // Replace the trigger block (lines 2-4) with the given lines.
  const lines = BASE_YAML.split('\n');
  lines.splice(1, 3, 'trigger:', ...trigger.map((l) => `  ${l}`));
  return mustParse(lines.join('\n') + extra);
}

describe('matchTrigger: stages by id, by label, and `won`', () => {
  it('matches the stage id on the default pipeline', () => {
    const m = mustParse(BASE_YAML);
    expect(matchTrigger(m, deal(), PIPELINES)).toEqual({ phase: 'closed', reason: expect.stringContaining("stage 'Closed Won' (closedwon)") });
  });

  it('matches the stage label, case-insensitively', () => {
    const m = mapping(['pipeline: Sales Pipeline', 'stage: closed won']);
    expect(matchTrigger(m, deal(), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, deal({ stageId: 'closedlost' }), PIPELINES).phase).toBeNull();
  });

  it('`won` on a custom pipeline with numeric ids, named by label', () => {
    const m = mapping(['pipeline: Enterprise', 'stage: won']);
    expect(matchTrigger(m, deal({ pipelineId: '7654321', stageId: '11348547' }), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, deal({ pipelineId: '7654321', stageId: '11348548' }), PIPELINES)).toEqual({
      phase: null,
      reason: expect.stringContaining("deal is in stage 'Lost' (11348548)"),
    });
    // The default pipeline's won stage is not this mapping's.
    expect(matchTrigger(m, deal(), PIPELINES)).toEqual({ phase: null, reason: expect.stringMatching(/triggers on pipeline 'Enterprise'/) });
  });

  it('a numeric stage id and pipeline id work too', () => {
    const m = mapping(["pipeline: '7654321'", "stage: '11348547'"]);
    expect(matchTrigger(m, deal({ pipelineId: '7654321', stageId: '11348547' }), PIPELINES).phase).toBe('closed');
  });

  it('`won` without a pipeline covers every pipeline', () => {
    const m = mapping(['stage: won']);
    expect(matchTrigger(m, deal(), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, deal({ pipelineId: '7654321', stageId: '11348547' }), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, deal({ stageId: 'contractsent' }), PIPELINES).phase).toBeNull();
  });

  it('the prepare stage gives phase `prepare`', () => {
    const m = mustParse(BASE_YAML + 'prepare: { stage: Contract Sent }\n');
    expect(matchTrigger(m, deal({ stageId: 'contractsent' }), PIPELINES)).toEqual({ phase: 'prepare', reason: expect.stringContaining('prepare stage') });
    expect(matchTrigger(m, deal({ stageId: 'appointmentscheduled' }), PIPELINES).phase).toBeNull();
  });

  it('refuses other CRMs, archived deals, unknown pipelines and stages', () => {
    const m = mustParse(BASE_YAML);
    expect(matchTrigger(m, deal({ crm: 'pipedrive' }), PIPELINES).reason).toMatch(/from pipedrive/);
    expect(matchTrigger(m, deal({ archived: true }), PIPELINES).reason).toBe('deal is archived');
    expect(matchTrigger(m, deal({ stageId: null }), PIPELINES).reason).toBe('deal has no stage');
    expect(matchTrigger(m, deal({ stageId: 'nope' }), PIPELINES).reason).toMatch(/not a stage of pipeline/);
    expect(matchTrigger(mapping(['pipeline: Renewals', 'stage: won']), deal(), PIPELINES).reason).toMatch(/pipeline 'Renewals' .* does not exist/);
  });
});

describe('matchTrigger: `when` conditions (all must hold)', () => {
  const when = (cond: string) => mapping(['pipeline: default', 'stage: closedwon', 'when:', `  - ${cond}`]);

  it('in / not_in', () => {
    const m = when('{ field: deal.dealtype, in: [newbusiness, upsell] }');
    expect(matchTrigger(m, deal(), PIPELINES).phase).toBe('closed');
    const r = matchTrigger(m, deal({ props: { dealtype: 'existingbusiness' } }), PIPELINES);
    expect(r).toEqual({ phase: null, reason: 'condition not met: deal.dealtype in [newbusiness, upsell] (value: "existingbusiness")' });
    expect(matchTrigger(m, deal({ props: { dealtype: null } }), PIPELINES).phase).toBeNull();
    const not = when('{ field: deal.dealtype, not_in: [existingbusiness] }');
    expect(matchTrigger(not, deal(), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(not, deal({ props: { dealtype: null } }), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(not, deal({ props: { dealtype: 'existingbusiness' } }), PIPELINES).phase).toBeNull();
  });

  it('equals compares text (YAML numbers become strings)', () => {
    const m = when('{ field: deal.amount, equals: 1200 }');
    expect(matchTrigger(m, deal({ props: { amount: '1200' } }), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, deal({ props: { amount: '1200.5' } }), PIPELINES).phase).toBeNull();
  });

  it('exists: true / false (blank counts as absent)', () => {
    const yes = when('{ field: company.name, exists: true }');
    const no = when('{ field: company.name, exists: false }');
    const withCompany = deal({ company: { id: '9', name: 'Acme', domain: null, properties: {} } });
    expect(matchTrigger(yes, withCompany, PIPELINES).phase).toBe('closed');
    expect(matchTrigger(yes, deal(), PIPELINES).phase).toBeNull();
    expect(matchTrigger(no, deal(), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(no, deal({ company: { id: '9', name: '   ', domain: null, properties: {} } }), PIPELINES).phase).toBe('closed');
  });

  it('matches: RE2 search, case-insensitive with (?i)', () => {
    const m = when('{ field: deal.dealname, matches: "(?i)^widget" }');
    expect(matchTrigger(m, deal(), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, deal({ props: { dealname: 'Big widget' } }), PIPELINES).phase).toBeNull();
  });

  it('matches stays linear on hostile input', () => {
    const m = when('{ field: deal.dealname, matches: "^(a+)+$" }');
    const started = performance.now();
    expect(matchTrigger(m, deal({ props: { dealname: `${'a'.repeat(50_000)}!` } }), PIPELINES).phase).toBeNull();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('several conditions are ANDed', () => {
    const m = mapping([
      'pipeline: default',
      'stage: closedwon',
      'when:',
      '  - { field: deal.dealtype, in: [newbusiness] }',
      '  - { field: owner.email, exists: true }',
    ]);
    expect(matchTrigger(m, deal(), PIPELINES).reason).toBe('condition not met: owner.email exists (value: empty)');
    const owned = deal({ owner: { id: '1', email: 'rep@example.com', firstName: null, lastName: null, properties: {} } });
    expect(matchTrigger(m, owned, PIPELINES).phase).toBe('closed');
  });
});

describe('triggerStageIds', () => {
  it('`won` with no pipeline: every won stage', () => {
    expect(triggerStageIds(mapping(['stage: won']), PIPELINES)).toEqual(['closedwon', '11348547']);
  });

  it('by label within one pipeline', () => {
    expect(triggerStageIds(mapping(['pipeline: Enterprise', 'stage: signed']), PIPELINES)).toEqual(['11348547']);
  });

  it('an id wins over a label; an unknown pipeline gives none', () => {
    expect(triggerStageIds(mustParse(BASE_YAML), PIPELINES)).toEqual(['closedwon']);
    expect(triggerStageIds(mapping(['pipeline: Renewals', 'stage: won']), PIPELINES)).toEqual([]);
  });
});

describe('referencedProperties', () => {
  it('collects properties from fields, templates, conditions and people, plus the base set', () => {
    const m = mustParse(
      withLine(11, '  title: "{{ company.industry }} {{ deal.dealname }} {% for c in contacts %}{{ c.email }}{% endfor %}"').replace(
        '  stage: closedwon',
        '  stage: closedwon\n  when: [{ field: deal.hs_priority, in: [high] }]',
      ) + 'thread: { channel: "{{ deal.slack_channel }}", message: "Hi {{ contact.firstname }} {{ contact.jobtitle }} by {{ kickoff_due }}" }\n',
    );
    expect(referencedProperties([m])).toEqual({
      deal: ['amount', 'closedate', 'dealname', 'dealstage', 'hs_priority', 'hubspot_owner_id', 'lead_email', 'pipeline', 'scope', 'slack_channel'],
      company: ['domain', 'industry', 'name'],
      contact: ['email', 'firstname', 'jobtitle', 'lastname'],
    });
  });

  it('includes the fields of escalation conditions, which checks read live (dealReadRequest asks for them)', () => {
    const m = mustParse(
      BASE_YAML + 'escalations:\n  - { id: no-target, after: 1 day, unless: { field: deal.hs_kickoff_custom, exists: true }, notify: [lead] }\n',
    );
    expect(referencedProperties([m]).deal).toContain('hs_kickoff_custom');
    expect(dealReadRequest([m]).dealProperties).toContain('hs_kickoff_custom');
  });
});
