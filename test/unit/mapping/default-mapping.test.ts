// mappings/default.yaml is what a new install runs: it must load cleanly and produce a sensible handoff.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildHandoff } from '../../../src/mapping/build-handoff.js';
import { formatMappingError, loadMappingsFromDir } from '../../../src/mapping/load-mappings.js';
import { matchTrigger, referencedProperties } from '../../../src/mapping/trigger.js';
import { fixtureDeal, PIPELINES } from './helpers.js';

const MAPPINGS_DIR = fileURLToPath(new URL('../../../mappings/', import.meta.url));

async function loadDefault(env: Record<string, string | undefined> = {}) {
  const { mappings, errors } = await loadMappingsFromDir(MAPPINGS_DIR, env);
  expect(errors.map(formatMappingError)).toEqual([]);
  const loaded = mappings.find((m) => m.mapping.name === 'services-onboarding');
  if (!loaded) throw new Error('services-onboarding not found');
  return loaded.mapping;
}

describe('mappings/default.yaml', () => {
  it('loads with no errors; the Jira project comes from JIRA_PROJECT_KEY (default DEL)', async () => {
    expect((await loadDefault()).work.project).toBe('DEL');
    expect((await loadDefault({ JIRA_PROJECT_KEY: 'ONB' })).work.project).toBe('ONB');
  });

  it('triggers on any won stage of the default pipeline, and prepares at contract sent', async () => {
    const m = await loadDefault();
    expect(matchTrigger(m, fixtureDeal(), PIPELINES).phase).toBe('closed');
    expect(matchTrigger(m, { ...fixtureDeal(), stageId: 'contractsent' }, PIPELINES).phase).toBe('prepare');
    expect(matchTrigger(m, { ...fixtureDeal(), pipelineId: '7654321', stageId: '11348547' }, PIPELINES).phase).toBeNull();
  });

  it('builds a complete handoff from a complete deal', async () => {
    const m = await loadDefault();
    // Friday 2026-03-06, 11:30 in New York; the next Sunday is the DST change.
    const built = buildHandoff(m, fixtureDeal(), { closedAt: new Date('2026-03-06T16:30:00Z') });
    expect(built.document.missing).toEqual([]);
    expect(built.document.complete).toBe(true);
    expect(built.document.sections.map((s) => s.id)).toEqual(['contact', 'scope', 'timeline', 'risks', 'billing', 'commitments', 'stakeholders']);
    expect(built.work.tasks.map((t) => [t.id, t.dueDate, t.assigneeEmail])).toEqual([
      ['assign-lead', '2026-03-09', 'delivery-ops@example.com'],
      ['review-doc', '2026-03-10', 'priya.lead@example.com'],
      ['kickoff', '2026-03-12', 'priya.lead@example.com'],
      ['confirm-scope', '2026-03-16', 'priya.lead@example.com'],
      ['setup-billing', '2026-03-13', 'billing@example.com'],
      ['create-workspace', '2026-03-11', 'priya.lead@example.com'],
      ['first-deliverable', '2026-03-30', 'priya.lead@example.com'],
    ]);
    expect(built.kickoffDue).toBe('2026-03-12');
    expect(built.intro.channel).toBe('C07ACMEDEL1');
    expect(built.intro.text).toContain('introduce *priya.lead@example.com*');
    expect(built.intro.text).toContain('kickoff by *Thursday, March 12*');
  });

  it('an incomplete deal yields the missing list a rep has to fill', async () => {
    const m = await loadDefault();
    const deal = fixtureDeal();
    const incomplete = { ...deal, properties: { ...deal.properties, baton_risks: null, baton_verbal_commitments: '', baton_kickoff_target: null } };
    const built = buildHandoff(m, incomplete, { closedAt: new Date('2026-03-06T16:30:00Z') });
    expect(built.document.complete).toBe(false);
    expect(built.document.missing.map((f) => `${f.section}/${f.key}`)).toEqual(['timeline/kickoff-target', 'risks/known-risks-and-sensitivities', 'commitments/verbal-commitments']);
  });

  it('reads every Baton handoff property', async () => {
    const props = referencedProperties([await loadDefault()]).deal;
    for (const p of [
      'baton_scope',
      'baton_scope_deviations',
      'baton_promised_timeline',
      'baton_kickoff_target',
      'baton_first_deliverable_date',
      'baton_risks',
      'baton_billing_terms',
      'baton_payment_schedule',
      'baton_verbal_commitments',
      'baton_comm_preferences',
      'baton_client_slack_channel',
      'baton_client_thread_ts',
      'baton_project_lead_email',
      'baton_delivery_stakeholders',
    ]) {
      expect(props).toContain(p);
    }
  });
});
