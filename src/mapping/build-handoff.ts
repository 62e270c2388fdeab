// What closed-won turns into for one mapping and one deal: the document, the people, the work plan and
// the Slack intro. Pure: the handoff job stores the result and hands it to the connectors.
import type { CrmDeal } from '../handoff/ports.js';
import type { Calendar } from '../handoff/calendar.js';
import type { HandoffDocument, IntroPlan, ResolvedPerson, WorkPlan } from '../handoff/types.js';
import { buildDocument } from './build-document.js';
import { planIntro } from './build-intro.js';
import { buildTemplateContext } from './context.js';
import { resolvePeople } from './people.js';
import { planWork } from './plan-work.js';
import type { RenderContext } from './render-at.js';
import type { Mapping } from './schema.js';

export { MappingRenderError } from './render-at.js';

export interface BuiltHandoff {
  document: HandoffDocument;
  people: Record<string, ResolvedPerson>;
  work: WorkPlan;
  intro: IntroPlan;
  /** Local due date (YYYY-MM-DD) of the kickoff task, when the mapping has one. */
  kickoffDue: string | null;
  calendar: Calendar;
}

/** What the route worker stores on the handoff row (`plan`) when it builds the handoff; every later step reads it. */
export type StoredPlan = Pick<BuiltHandoff, 'work' | 'intro' | 'people' | 'kickoffDue' | 'calendar'>;

export function mappingCalendar(mapping: Mapping): Calendar {
  return { timezone: mapping.timezone, holidays: mapping.business_days.holidays };
}

/**
 * Templates see the deal context plus `people.<role>.name|email|role` (plain text) and `handoff_url`.
 * Throws MappingRenderError when a template fails to render (a DoS limit, a filter error).
 */
export function buildHandoff(mapping: Mapping, deal: CrmDeal, opts: { closedAt: Date; handoffUrl?: string }): BuiltHandoff {
  const base = buildTemplateContext(deal);
  const people = resolvePeople(mapping, base);
  const ctx: RenderContext = {
    ...base,
    people: Object.fromEntries(Object.entries(people).map(([role, p]) => [role, { role, name: p.name ?? '', email: p.email ?? '' }])),
    handoff_url: opts.handoffUrl ?? '',
  };
  const calendar = mappingCalendar(mapping);
  const document = buildDocument(mapping, ctx, deal.labels);
  const { work, kickoffDue } = planWork(mapping, ctx, people, opts.closedAt, calendar);
  const intro = planIntro(mapping, ctx, kickoffDue);
  return { document, people, work, intro, kickoffDue, calendar };
}

/** The handoff row's fields for a built handoff: what the store keeps (and the dashboard reads) per deal and mapping. */
export function handoffRowFields(built: BuiltHandoff, deal: CrmDeal, phase: 'preparing' | 'closed', closedAt: Date | null) {
  return {
    phase,
    title: built.document.title,
    dealName: deal.properties.dealname ?? null,
    document: built.document,
    complete: built.document.complete,
    missing: built.document.missing,
    plan: { work: built.work, intro: built.intro, people: built.people, kickoffDue: built.kickoffDue, calendar: built.calendar },
    deal,
    closedAt: closedAt?.toISOString() ?? null,
  };
}
