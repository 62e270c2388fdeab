// One handoff as delivery reads it: the document (missing marked), the tasks with owners, due dates
// and live status, links out, the steps (with Retry for admins), escalations, feedback and the audit
// trail with dry-run records.
import type { StoredPlan } from '../../mapping/build-handoff.js';
import type { CreatedWork, PostedMessage } from '../../handoff/ports.js';
import type { Mapping } from '../../mapping/schema.js';
import { parseUnless } from '../../watch/watch-condition.js';
import { html, safeHref, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import type { HandoffDetail } from '../queries/handoff-detail-query.js';
import type { CheckView } from '../queries/watch-query.js';
import { riskOf } from '../risk.js';
import { calendarDay, money, plural, roleLabel, statusBadge, stepChip, unavailable, when } from './format.js';

/** What the page needs besides the stored handoff. */
export interface HandoffPageView {
  /** The handoff's mapping as loaded now (what each escalation check waits for); null when not loaded. */
  mapping: Mapping | null;
  /** Whether Baton reads a live CRM; otherwise deals come from sample files or webhook payloads. */
  crmLive: boolean;
}

/** The work was created by the dry-run connector: nothing exists in Jira / Asana to track. */
const dryRunWork = (d: HandoffDetail) => d.dryRuns.some((r) => r.action === 'createWork');

interface DealJson {
  url?: string | null;
  properties?: Record<string, string | null>;
  company?: { name?: string | null } | null;
}

const link = (href: string | null, text: string): Html => {
  const safe = safeHref(href);
  return safe ? html`<a href="${safe}" rel="noopener noreferrer">${text}</a>` : html`<span class="muted">${text}: none</span>`;
};

function links(d: HandoffDetail, view: HandoffPageView, work: Partial<CreatedWork> | undefined, intro: Partial<PostedMessage> | undefined, dryIntro: boolean): Html {
  const deal = d.handoff.deal as DealJson | null;
  const crmName = d.handoff.crm === 'hubspot' ? 'HubSpot' : 'the CRM';
  // The address is the one the CRM connector gave (the live connector builds it from the real portal id);
  // sample and payload deals carry none, so nothing here points into somebody's portal.
  const dealLink = deal?.url
    ? link(deal.url, `Deal in ${crmName}`)
    : html`<span class="muted">Deal in ${crmName}: no link — ${view.crmLive ? 'HUBSPOT_PORTAL_ID is not set, so Baton cannot build the deal\'s address' : 'dry-run: this deal was not read from a HubSpot portal (sample or webhook data)'}</span>`;
  const items: Html[] = [dealLink];
  items.push(dryRunWork(d) && !work?.parent?.url ? html`<span class="muted">Delivery work: not created (dry-run; see the dry-run records below)</span>` : link(work?.parent?.url ?? null, 'Delivery work (Jira / Asana)'));
  const thread = intro?.channel && intro.threadTs && !dryIntro ? `https://slack.com/archives/${encodeURIComponent(intro.channel)}/p${intro.threadTs.replace('.', '')}` : null;
  const skipped = d.steps.some((s) => s.stepId === 'post-intro' && s.status === 'skipped');
  items.push(
    dryIntro ? html`<span class="muted">Slack thread: not posted (dry-run)</span>` : skipped ? html`<span class="muted">Slack thread: none — the intro was skipped (see Steps)</span>` : link(thread, 'Slack thread'),
  );
  return html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

function documentSection(d: HandoffDetail): Html {
  const doc = d.handoff.document;
  if (!doc) return html`<p class="unavailable">No document yet.</p>`;
  return html`${doc.complete ? html`<p class="notice ok">Complete: every required field is filled.</p>` : html`<p class="notice bad">Missing ${doc.missing.length} required field${doc.missing.length === 1 ? '' : 's'}: ${doc.missing.map((m) => m.label).join(', ')}.</p>`}
${doc.sections.map(
  (s) => html`<h3>${s.title}</h3><dl class="doc">${s.fields.map(
    (f) => html`<dt>${f.label}${f.required ? html` <span class="muted">(required)</span>` : ''}</dt><dd>${f.missing && f.required ? html`<span class="missing">Missing</span>` : (f.value ?? html`<span class="muted">—</span>`)}</dd>`,
  )}</dl>`,
)}`;
}

function tasksSection(d: HandoffDetail, plan: StoredPlan | null, work: Partial<CreatedWork> | undefined): Html {
  const tasks = plan?.work?.tasks ?? [];
  if (tasks.length === 0) return html`<p class="unavailable">No tasks planned.</p>`;
  return html`${d.tasks === null ? unavailable('Live task status') : ''}<div class="table-scroll" role="region" aria-label="Tasks" tabindex="0"><table class="cards-narrow">
<thead><tr><th scope="col">Task</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">In the tool</th></tr></thead>
<tbody>${tasks.map((t) => {
    const created = work?.tasks?.[t.id];
    const live = d.tasks?.get(t.id);
    const owner = live?.assignee ?? created?.assignee ?? t.assigneeEmail;
    const status = dryRunWork(d)
      ? html`<span class="muted">not tracked in dry-run (would be created)</span>`
      : live && (live.statusName || live.category !== 'unknown')
      ? html`${live.statusName ?? live.category}${live.category === 'done' ? html` <span class="badge ok">done</span>` : ''}`
      : created
        ? html`created <span class="muted">(status not read from ${plan?.work?.tool ?? 'the tool'} yet)</span>`
        : html`<span class="muted">planned, not created yet</span>`;
    const due = live?.dueDate ?? t.dueDate;
    const overdue = live && live.category !== 'done' && due && due < new Date().toISOString().slice(0, 10);
    return html`<tr><th scope="row">${t.summary}<br><span class="muted">${t.id}${t.after.length ? ` · after ${t.after.join(', ')}` : ''}</span></th>
<td data-label="Owner">${owner ?? html`<span class="muted">unassigned</span>`}${t.assigneeRole ? html`<br><span class="muted">${roleLabel(t.assigneeRole)}</span>` : ''}</td>
<td data-label="Due">${due ?? '—'}${overdue ? html` <span class="badge bad">overdue</span>` : ''}</td>
<td data-label="Status">${status}</td>
<td data-label="In the tool">${live?.url || created?.url ? link(live?.url ?? created?.url ?? null, live?.key ?? created?.key ?? 'open') : html`<span class="muted">${created?.key ?? created?.id ?? '—'}</span>`}</td></tr>`;
  })}</tbody></table></div>`;
}

/** Why a step was skipped: the worker says so on the audit trail (`step.skipped`, data.step), not on the step row. */
function skipReason(d: HandoffDetail, stepId: string): string | null {
  const event = d.audit.findLast((a) => a.kind === 'step.skipped' && (a.data as { step?: unknown } | null)?.step === stepId);
  return event ? event.message.replace(`${stepId}: `, '') : null;
}

/** A stopped handoff (its deal deleted or merged) can be resumed where it stopped, e.g. when the restore webhook never came. */
function resumeForm(ctx: PageContext, d: HandoffDetail): Html | string {
  if (d.handoff.status !== 'stopped' || ctx.user?.role !== 'admin') return '';
  return html`<form method="post" action="/admin/retry">${csrfField(ctx)}<input type="hidden" name="handoffId" value="${d.handoff.id}"><input type="hidden" name="stepId" value="handoff"><input type="hidden" name="back" value="/handoffs/${d.handoff.id}"><button type="submit">Resume the stopped handoff</button></form>`;
}

function stepsSection(ctx: PageContext, d: HandoffDetail): Html {
  if (d.steps.length === 0) return html`<p class="unavailable">No steps have run yet.</p>${resumeForm(ctx, d)}`;
  const admin = ctx.user?.role === 'admin';
  return html`<div class="table-scroll" role="region" aria-label="Steps" tabindex="0"><table class="cards-narrow">
<thead><tr><th scope="col">Step</th><th scope="col">State</th><th scope="col" class="num">Attempts</th><th scope="col">Reason / last error</th><th scope="col">Action</th></tr></thead>
<tbody>${d.steps.map((s) => {
    const retryable = s.status === 'failed' || (d.handoff.status === 'failed' && s.status === 'pending' && s.lastError !== null);
    const kind = s.lastError ? (s.permanent ? html`<span class="badge bad">permanent</span> ` : html`<span class="badge warn">retryable</span> `) : '';
    const action = retryable
      ? admin
        ? html`<form method="post" action="/admin/retry">${csrfField(ctx)}<input type="hidden" name="handoffId" value="${s.handoffId}"><input type="hidden" name="stepId" value="${s.stepId}"><input type="hidden" name="back" value="/handoffs/${s.handoffId}"><button type="submit">Retry ${s.stepId}</button></form>`
        : html`<span class="muted">an admin can retry</span>`
      : '';
    const reason = s.status === 'skipped' ? skipReason(d, s.stepId) : null;
    return html`<tr><th scope="row">${stepChip(s.stepId, s.status)} <span class="muted">${s.stepId}</span></th><td data-label="State">${s.status}<br><span class="muted">${when(s.finishedAt ?? s.startedAt)}</span></td><td class="num" data-label="Attempts">${s.attempts}</td><td data-label="Reason / last error">${kind}${s.lastError ?? reason ?? ''}</td><td data-label="Action">${action}</td></tr>`;
  })}</tbody></table></div>${resumeForm(ctx, d)}`;
}

/** A check's state as a sentence: when it runs, or how it ended. Never a bare "pending". */
function checkState(c: CheckView, now: Date): Html {
  const note = c.note ? html`<br><span class="muted">${c.note}</span>` : '';
  switch (c.status) {
    case 'pending':
      if (c.snoozedUntil && Date.parse(c.snoozedUntil) > now.getTime()) return html`Snoozed until ${when(c.snoozedUntil)}`;
      return c.lastFiredAt ? html`Escalated ${when(c.lastFiredAt)}; next level ${when(c.dueAt)}` : html`Scheduled for ${when(c.dueAt)}`;
    case 'resolved':
      return html`Resolved — nothing to escalate${note}`;
    case 'acknowledged':
      return html`Acknowledged${note}`;
    case 'cancelled':
      return html`Not needed — cancelled${note}`;
    case 'failed':
      return html`<span class="badge bad">failed</span> ${c.note ?? ''}`;
    case 'finished':
      return html`Escalated — every level sent${c.lastFiredAt ? html`, last ${when(c.lastFiredAt)}` : ''}`;
    default:
      return html`${c.status}${note}`;
  }
}

/** What keeps a check quiet, and, while it waits, whether that holds right now. */
function quietWhen(d: HandoffDetail, view: HandoffPageView, c: CheckView): Html {
  const spec = view.mapping?.escalations.find((e) => e.id === c.triggerId);
  if (!spec) return html`<span class="muted">not in mapping ${d.handoff.mapping} any more</span>`;
  const waiting = c.status === 'pending';
  let condition: ReturnType<typeof parseUnless>;
  try {
    condition = parseUnless(spec.unless);
  } catch {
    return html`<span class="muted">unreadable condition</span>`;
  }
  switch (condition.kind) {
    case 'none':
      return html`fires whenever it comes due`;
    case 'document-complete':
      return html`quiet if the document is complete${waiting ? (d.handoff.complete ? ' — it is now' : ` — ${plural(d.handoff.missing.length, 'field')} ${d.handoff.missing.length === 1 ? 'is' : 'are'} missing now`) : ''}`;
    case 'task': {
      const live = d.tasks?.get(condition.taskId);
      const now = !waiting ? '' : dryRunWork(d) ? ' — not tracked in dry-run' : live && live.category !== 'unknown' ? ` — it is ${live.statusName ?? live.category} now` : ' — its status is not read yet';
      return html`quiet if task ${condition.taskId} is ${condition.state}${now}`;
    }
    case 'field':
      return html`quiet if the condition on ${condition.condition.field} holds`;
  }
}

function escalationsSection(d: HandoffDetail, view: HandoffPageView, now: Date): Html {
  if (d.escalations === null) return unavailable('Escalations');
  const { checks, fired } = d.escalations;
  if (checks.length === 0) return html`<p class="muted">No escalation checks for this handoff.</p>`;
  return html`<div class="table-scroll" role="region" aria-label="Escalations" tabindex="0"><table class="cards-narrow"><thead><tr><th scope="col">Check</th><th scope="col">State</th><th scope="col">Stays quiet when</th><th scope="col">Acknowledged</th></tr></thead>
<tbody>${checks.map((c) => html`<tr><th scope="row">${c.triggerId}</th><td data-label="State">${checkState(c, now)}</td><td data-label="Stays quiet when">${quietWhen(d, view, c)}</td><td data-label="Acknowledged">${c.ackedBy ? html`${c.ackedBy}, ${when(c.ackedAt)}` : c.snoozedUntil ? html`snoozed until ${when(c.snoozedUntil)}` : '—'}</td></tr>`)}</tbody></table></div>
${fired.length ? html`<h3>Sent</h3><ul>${fired.map((e) => html`<li>${when(e.sentAt ?? e.claimedAt)} — ${e.triggerId}, rung ${e.rung}: ${e.reason}${e.notified.length ? html` <span class="muted">(to ${e.notified.map((n) => n.email ?? roleLabel(n.role)).join(', ')})</span>` : ''}${e.snoozedBy ? html` · snoozed by ${e.snoozedBy}` : ''}</li>`)}</ul>` : ''}`;
}

function feedbackSection(d: HandoffDetail): Html {
  if (d.feedback === 'absent') return unavailable('Feedback');
  if (d.feedback === null) return html`<p class="muted">No feedback requested yet.</p>`;
  const f = d.feedback;
  return html`<p>${f.status}${f.askEmail ? ` · asked ${f.askEmail}` : ''}${f.answeredAt ? ` · answered ${when(f.answeredAt)} by ${f.answeredBy ?? 'unknown'}` : ` · due ${when(f.dueAt)}`}</p>
${f.accuracy !== null ? html`<p>Document accuracy: <strong>${f.accuracy} / 5</strong>${f.wrongSections.length ? html` · wrong sections: ${f.wrongSections.join(', ')}` : ''}</p>` : ''}
${f.answers ? html`<details><summary>Answers</summary><pre>${JSON.stringify(f.answers, null, 2)}</pre></details>` : ''}`;
}

function auditSection(d: HandoffDetail): Html {
  const events = html`<div class="table-scroll" role="region" aria-label="Audit trail" tabindex="0"><table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Message</th></tr></thead>
<tbody>${d.audit.map((a) => html`<tr><td>${when(a.at)}</td><td>${a.actor}</td><td>${a.kind}</td><td>${a.message}</td></tr>`)}</tbody></table></div>`;
  const dry = d.dryRuns.length
    ? html`<h3>Dry-run records (what Baton would have sent)</h3>${d.dryRuns.map(
        (r) => html`<details><summary>${when(r.createdAt)} — ${r.connector} ${r.action}</summary><pre>${JSON.stringify(r.payload, null, 2)}</pre></details>`,
      )}`
    : '';
  return html`${events}${dry}`;
}

/** Deadlines count from the moment the stage change reached Baton; the deal's own close date is what the rep entered. */
function factsSection(d: HandoffDetail, view: HandoffPageView, plan: StoredPlan | null, now: Date): Html {
  const h = d.handoff;
  const deal = h.deal as DealJson | null;
  const props = deal?.properties ?? {};
  const risk = riskOf({ status: h.status, phase: h.phase, updatedAt: h.updatedAt, complete: h.complete, missingCount: h.missing.length, overdueTasks: null, openEscalations: null }, now);
  const currency = props.deal_currency_code ?? view.mapping?.currency ?? null;
  const value = html`${money(props.amount ?? null, currency)}${props.amount && !currency ? html` <span class="muted">(no currency on the deal or in mapping ${h.mapping})</span>` : props.amount && !props.deal_currency_code ? html` <span class="muted">(mapping currency)</span>` : ''}`;
  const closeDay = calendarDay(props.closedate);
  return html`<section class="panel" id="facts-panel" aria-labelledby="facts"><h2 id="facts">Facts</h2>
<p>${statusBadge(h.status, h.phase, { complete: h.complete, missingCount: h.missing.length })} ${risk.stalled ? html`<span class="badge warn">Stalled</span>` : ''}</p>
${risk.reasons.length ? html`<ul class="reasons">${risk.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${nextStep(d, view, plan)}
<p>Client: ${deal?.company?.name ?? '—'}<br>Deal: ${h.dealName ?? h.dealId} (${h.crm} ${h.dealId})<br>Value: ${value}<br>
Mapping: ${h.mapping}<br>Close date (deal): ${closeDay ?? html`<span class="muted">not set on the deal</span>`}<br>
Marked won (stage change received): ${h.closedAt ? when(h.closedAt) : html`<span class="muted">not yet</span>`} <span class="muted">· deadlines count from here</span><br>
Kickoff due: ${plan?.kickoffDue ?? '—'}</p>
${h.lastError ? html`<p class="error">${h.lastError}</p>` : ''}</section>`;
}

/** What a person should do now about the document, when anything. */
function nextStep(d: HandoffDetail, view: HandoffPageView, plan: StoredPlan | null): Html {
  const h = d.handoff;
  if (h.complete || h.missing.length === 0) return html``;
  const rep = plan?.people?.sales_rep;
  const who = rep?.name ?? rep?.email ?? null;
  // Only a check waiting on document.complete re-reads the deal after the handoff (jobs/escalation/live-state.ts).
  const recheck = d.escalations?.checks.find((c) => {
    if (c.status !== 'pending') return false;
    try {
      return parseUnless(view.mapping?.escalations.find((e) => e.id === c.triggerId)?.unless).kind === 'document-complete';
    } catch {
      return false;
    }
  });
  return html`<p class="notice warn"><strong>Next:</strong> Ask the sales rep${who ? ` (${who})` : ''} to fill the ${plural(h.missing.length, 'missing field')} in ${h.crm === 'hubspot' ? 'HubSpot' : 'the CRM'}.
${recheck ? html` Baton re-reads the deal at the ${recheck.triggerId} check (${when(recheck.dueAt)}) and escalates if fields are still missing.` : html` This page keeps the document as it was at the handoff.`}</p>`;
}

export function handoffPage(ctx: PageContext, d: HandoffDetail, now: Date, view: HandoffPageView, notice?: Html): Html {
  const h = d.handoff;
  const plan = (h.plan ?? null) as StoredPlan | null;
  const stepIds = (id: string) => d.steps.find((s) => s.stepId === id)?.externalIds;
  const work = stepIds('create-work') as Partial<CreatedWork> | undefined;
  const intro = stepIds('post-intro') as Partial<PostedMessage> | undefined;
  const people = Object.entries(plan?.people ?? {});
  const body = html`${notice ?? ''}<p><a href="/">← All handoffs</a></p>
<h1>${h.title}</h1>
<div class="cards">
${factsSection(d, view, plan, now)}
<section class="panel" id="people-panel" aria-labelledby="people"><h2 id="people">People</h2><ul>${people.map(([role, p]) => html`<li>${roleLabel(role)}: ${p.name ?? ''} ${p.email ? html`<span class="muted">${p.email}</span>` : html`<span class="muted">nobody set</span>`}</li>`)}</ul></section>
<section class="panel" id="links-panel" aria-labelledby="links"><h2 id="links">Links</h2>${links(d, view, work, intro, d.dryRuns.some((r) => r.action === 'postIntro'))}</section>
</div>
<h2>Steps</h2>${stepsSection(ctx, d)}
<h2>Tasks</h2>${tasksSection(d, plan, work)}
<h2>Handoff document</h2>${documentSection(d)}
<h2>Escalations</h2>${escalationsSection(d, view, now)}
<h2>Feedback</h2>${feedbackSection(d)}
<h2>Audit trail</h2>${auditSection(d)}`;
  return layout(ctx, h.title, body);
}
