// Handoffs for dashboard tests and the bench, written through the real repositories (and bulk inserts
// for the 10,000-row bench), built by the real mapping engine from the default mapping and a sample deal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { CrmDeal } from '../../../src/handoff/ports.js';
import type { Store } from '../../../src/store/database.js';
import { loadMappingsFromDir } from '../../../src/mapping/load-mappings.js';
import { buildHandoff, handoffRowFields } from '../../../src/mapping/build-handoff.js';
import type { Mapping } from '../../../src/mapping/schema.js';
import { createHandoffIfAbsent, updateHandoff } from '../../../src/store/handoff-repo.js';
import { completeStep, ensureSteps, failStep, startStep } from '../../../src/store/step-repo.js';
import { appendAudit } from '../../../src/store/audit-repo.js';
import { recordDryRun } from '../../../src/store/dry-run-repo.js';
import { HANDOFF_STEPS } from '../../../jobs/handoff.js';

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

export const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"'&`;

export async function defaultMapping(): Promise<Mapping> {
  const { mappings } = await loadMappingsFromDir(join(process.cwd(), 'mappings'), { JIRA_PROJECT_KEY: 'DEL' });
  return mappings[0]!.mapping;
}

export function sampleDeal(): CrmDeal {
  return JSON.parse(readFileSync(join(process.cwd(), 'mappings', 'samples', '1001.json'), 'utf8')) as CrmDeal;
}

export interface SeedSpec {
  dealId: string;
  company: string;
  dealName?: string;
  repEmail?: string;
  repName?: [string, string];
  leadEmail?: string;
  amount?: string;
  closedAt: Date;
  /** Remove these deal properties (makes the document incomplete). */
  drop?: string[];
  /** How far the steps got: 'done' all, 'stalled' create-work done + post-intro running, 'failed' create-work failed permanently, 'new' none. */
  progress: 'done' | 'stalled' | 'failed' | 'new' | 'preparing';
  /** Backdate updated_at (for "no progress for N days"). */
  updatedAt?: Date;
  mapping?: string;
}

/** One handoff through the repositories; returns its id. */
export async function seedOne(store: Store, mapping: Mapping, s: SeedSpec): Promise<string> {
  const base = sampleDeal();
  const repEmail = s.repEmail ?? 'sam.rep@baton.example';
  const deal: CrmDeal = {
    ...base,
    id: s.dealId,
    url: `https://app.hubspot.com/contacts/62515/record/0-3/${s.dealId}`,
    properties: { ...base.properties, dealname: s.dealName ?? `${s.company} rollout`, amount: s.amount ?? base.properties.amount ?? null, baton_project_lead_email: s.leadEmail ?? 'priya.lead@baton.example' },
    company: { id: `c${s.dealId}`, name: s.company, domain: null, properties: { name: s.company } },
    owner: { id: 'o1', email: repEmail, firstName: s.repName?.[0] ?? cap(repEmail.split('.')[0]!), lastName: s.repName?.[1] ?? 'Rep', properties: {} },
  };
  for (const p of s.drop ?? []) deal.properties[p] = null;
  const built = buildHandoff(mapping, deal, { closedAt: s.closedAt });
  const { handoff } = await createHandoffIfAbsent(store, {
    crm: 'hubspot',
    accountId: '62515',
    dealId: s.dealId,
    mapping: s.mapping ?? mapping.name,
    ...handoffRowFields(built, deal, s.progress === 'preparing' ? 'preparing' : 'closed', s.progress === 'preparing' ? null : s.closedAt),
  });
  const id = handoff.id;
  await appendAudit(store, { handoffId: id, actor: 'worker', kind: 'handoff.created', message: `Deal closed: handoff created from mapping ${mapping.name}` });
  if (s.progress === 'preparing' || s.progress === 'new') return id;
  await ensureSteps(store, id, [...HANDOFF_STEPS]);
  await startStep(store, id, 'create-work');
  if (s.progress === 'failed') {
    const msg = `mapping ${mapping.name}, step create-work: Jira field customfield_10020 is required`;
    await failStep(store, id, 'create-work', msg, true);
    await updateHandoff(store, id, { status: 'failed', lastError: msg });
    await appendAudit(store, { handoffId: id, actor: 'worker', kind: 'step.failed', message: msg, data: { step: 'create-work', permanent: true } });
  } else {
    const tasks = Object.fromEntries(built.work.tasks.map((t) => [t.id, { id: `dry-${t.id}`, key: null, url: null, assignee: t.assigneeEmail }]));
    await recordDryRun(store, { handoffId: id, connector: 'jira', action: 'createWork', idempotencyKey: `${id}:create-work`, payload: { project: built.work.project, parent: built.work.parent.summary, note: XSS } });
    await completeStep(store, id, 'create-work', { parent: { id: 'dry-parent', key: null, url: null }, tasks, notes: [] });
    await appendAudit(store, { handoffId: id, actor: 'worker', kind: 'step.done', message: 'create-work: jira would create the parent and 7 task(s)' });
    await startStep(store, id, 'post-intro');
    if (s.progress === 'done') {
      await completeStep(store, id, 'post-intro', { channel: 'C0ACMESHARED', ts: '1700000000.000100', threadTs: '1763990000.000200' });
      await startStep(store, id, 'write-back');
      await completeStep(store, id, 'write-back', { noteId: null });
      await startStep(store, id, 'schedule-checks');
      await completeStep(store, id, 'schedule-checks', {}, 'skipped');
      await updateHandoff(store, id, { status: 'done' });
    } else {
      await updateHandoff(store, id, { status: 'running' });
    }
  }
  if (s.updatedAt) await backdate(store, id, s.updatedAt);
  return id;
}

export async function backdate(store: Store, id: string, at: Date): Promise<void> {
  await sql`update handoffs set updated_at = ${at.toISOString()} where id = ${id}`.execute(store.db);
}

const REPS = ['ana.rep', 'ben.rep', 'cho.rep', 'dee.rep', 'eli.rep', 'fay.rep', 'gus.rep', 'hal.rep'];
const LEADS = ['priya.lead', 'omar.lead', 'lena.lead', 'kofi.lead', 'mia.lead', 'raj.lead'];
const DAY = 86_400_000;

/**
 * `count` handoffs in bulk (500 rows per insert), spread over the last `days` days: ~3% failed,
 * ~3% stalled, ~25% with an incomplete document, the rest handed off; 4 steps each.
 */
export async function seedMany(store: Store, mapping: Mapping, count: number, now: Date, days = 365): Promise<void> {
  const base = sampleDeal();
  const built = buildHandoff(mapping, base, { closedAt: new Date(now.getTime() - 30 * DAY) });
  const incomplete = buildHandoff(mapping, { ...base, properties: { ...base.properties, baton_risks: null, baton_billing_terms: null } }, { closedAt: now });
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const handoffs: Record<string, unknown>[] = [];
    const steps: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const id = randomUUID();
      const closed = new Date(now.getTime() - ((i * 7919) % (days * 24)) * 3600_000);
      const kind = i % 33 === 0 ? 'failed' : i % 33 === 1 ? 'stalled' : 'done';
      const doc = i % 4 === 0 ? incomplete.document : built.document;
      const rep = `${REPS[i % REPS.length]}@baton.example`;
      const lead = `${LEADS[i % LEADS.length]}@baton.example`;
      const kickoff = new Date(closed.getTime() + (3 + (i % 9)) * DAY).toISOString().slice(0, 10);
      const plan = {
        work: built.work,
        intro: built.intro,
        people: { ...built.people, sales_rep: { ...built.people.sales_rep, email: rep, name: rep.split('@')[0] }, project_lead: { ...built.people.project_lead, email: lead } },
        kickoffDue: kickoff,
        calendar: built.calendar,
      };
      const updated = kind === 'stalled' ? new Date(closed.getTime() + 60_000) : new Date(closed.getTime() + 120_000);
      handoffs.push({
        id,
        crm: 'hubspot',
        account_id: '62515',
        deal_id: String(100_000 + i),
        mapping: i % 5 === 0 ? 'renewals' : mapping.name,
        phase: 'closed',
        status: kind === 'failed' ? 'failed' : kind === 'stalled' ? 'running' : 'done',
        title: `Handoff: Client ${i} — Deal ${i}`,
        deal_name: `Deal ${i}`,
        document: JSON.stringify(doc),
        complete: doc.complete ? 1 : 0,
        missing: JSON.stringify(doc.missing),
        plan: JSON.stringify(plan),
        deal: JSON.stringify({ ...base, id: String(100_000 + i), company: { id: `c${i}`, name: `Client ${i}`, domain: null, properties: {} } }),
        closed_at: closed.toISOString(),
        created_at: closed.toISOString(),
        updated_at: updated.toISOString(),
        last_error: kind === 'failed' ? 'mapping services-onboarding, step create-work: Jira field customfield_10020 is required' : null,
      });
      HANDOFF_STEPS.forEach((step, position) => {
        const status = kind === 'done' ? (step === 'schedule-checks' ? 'skipped' : 'done') : position === 0 ? (kind === 'failed' ? 'failed' : 'done') : position === 1 && kind === 'stalled' ? 'running' : 'pending';
        steps.push({
          handoff_id: id,
          step_id: step,
          position,
          status,
          attempts: status === 'pending' ? 0 : i % 7 === 0 ? 2 : 1,
          last_error: status === 'failed' ? 'Jira field customfield_10020 is required' : null,
          permanent: status === 'failed' ? 1 : 0,
          external_ids: '{}',
          started_at: closed.toISOString(),
          finished_at: status === 'done' ? updated.toISOString() : null,
          updated_at: updated.toISOString(),
        });
      });
    }
    await store.db.insertInto('handoffs').values(handoffs as never).execute();
    await store.db.insertInto('handoff_steps').values(steps as never).execute();
  }
}
