// One handoff as delivery reads it: the document (missing marked), the tasks with owners, due dates
// and live status, links out, the steps (with Retry for admins), escalations, feedback and the audit
// trail with dry-run records.
import type { StoredPlan } from '../../../jobs/handoff.js';
import type { CreatedWork, PostedMessage } from '../../../connectors/types.js';
import { html, safeHref, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import type { HandoffDetail } from '../queries/handoff-detail-query.js';
import { riskOf } from '../risk.js';
import { money, statusBadge, stepChip, unavailable, when } from './format.js';

interface DealJson {
  url?: string | null;
  properties?: Record<string, string | null>;
  company?: { name?: string | null } | null;
}

const link = (href: string | null, text: string): Html => {
  const safe = safeHref(href);
  return safe ? html`<a href="${safe}" rel="noopener noreferrer">${text}</a>` : html`<span class="muted">${text}: none</span>`;
};

function links(d: HandoffDetail, work: Partial<CreatedWork> | undefined, intro: Partial<PostedMessage> | undefined, dryIntro: boolean): Html {
  const deal = d.handoff.deal as DealJson | null;
  const items: Html[] = [link(deal?.url ?? null, d.handoff.crm === 'hubspot' ? 'Deal in HubSpot' : 'Deal in the CRM')];
  items.push(link(work?.parent?.url ?? null, 'Delivery work (Jira / Asana)'));
  const thread = intro?.channel && intro.threadTs && !dryIntro ? `https://slack.com/archives/${encodeURIComponent(intro.channel)}/p${intro.threadTs.replace('.', '')}` : null;
  items.push(link(thread, dryIntro ? 'Slack thread (dry-run)' : 'Slack thread'));
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
  return html`${d.tasks === null ? unavailable('Live task status') : ''}<div class="table-scroll" role="region" aria-label="Tasks" tabindex="0"><table>
<thead><tr><th scope="col">Task</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">In the tool</th></tr></thead>
<tbody>${tasks.map((t) => {
    const created = work?.tasks?.[t.id];
    const live = d.tasks?.get(t.id);
    const owner = live?.assignee ?? created?.assignee ?? t.assigneeEmail;
    const status = live
      ? html`${live.statusName ?? live.category}${live.category === 'done' ? html` <span class="badge ok">done</span>` : ''}`
      : created
        ? html`created`
        : html`<span class="muted">planned</span>`;
    const due = live?.dueDate ?? t.dueDate;
    const overdue = live && live.category !== 'done' && due && due < new Date().toISOString().slice(0, 10);
    return html`<tr><th scope="row">${t.summary}<br><span class="muted">${t.id}${t.after.length ? ` · after ${t.after.join(', ')}` : ''}</span></th>
<td>${owner ?? html`<span class="muted">unassigned</span>`}${t.assigneeRole ? html`<br><span class="muted">${t.assigneeRole}</span>` : ''}</td>
<td>${due ?? '—'}${overdue ? html` <span class="badge bad">overdue</span>` : ''}</td>
<td>${status}</td>
<td>${live?.url || created?.url ? link(live?.url ?? created?.url ?? null, live?.key ?? created?.key ?? 'open') : html`<span class="muted">${created?.key ?? created?.id ?? '—'}</span>`}</td></tr>`;
  })}</tbody></table></div>`;
}

/** A stopped handoff (its deal deleted or merged) can be resumed where it stopped, e.g. when the restore webhook never came. */
function resumeForm(ctx: PageContext, d: HandoffDetail): Html | string {
  if (d.handoff.status !== 'stopped' || ctx.user?.role !== 'admin') return '';
  return html`<form method="post" action="/admin/retry">${csrfField(ctx)}<input type="hidden" name="handoffId" value="${d.handoff.id}"><input type="hidden" name="stepId" value="handoff"><input type="hidden" name="back" value="/handoffs/${d.handoff.id}"><button type="submit">Resume the stopped handoff</button></form>`;
}

function stepsSection(ctx: PageContext, d: HandoffDetail): Html {
  if (d.steps.length === 0) return html`<p class="unavailable">No steps have run yet.</p>${resumeForm(ctx, d)}`;
  const admin = ctx.user?.role === 'admin';
  return html`<div class="table-scroll" role="region" aria-label="Steps" tabindex="0"><table>
<thead><tr><th scope="col">Step</th><th scope="col">State</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Action</th></tr></thead>
<tbody>${d.steps.map((s) => {
    const retryable = s.status === 'failed' || (d.handoff.status === 'failed' && s.status === 'pending' && s.lastError !== null);
    const kind = s.lastError ? (s.permanent ? html`<span class="badge bad">permanent</span> ` : html`<span class="badge warn">retryable</span> `) : '';
    const action = retryable
      ? admin
        ? html`<form method="post" action="/admin/retry">${csrfField(ctx)}<input type="hidden" name="handoffId" value="${s.handoffId}"><input type="hidden" name="stepId" value="${s.stepId}"><input type="hidden" name="back" value="/handoffs/${s.handoffId}"><button type="submit">Retry ${s.stepId}</button></form>`
        : html`<span class="muted">an admin can retry</span>`
      : '';
    return html`<tr><th scope="row">${stepChip(s.stepId, s.status)} <span class="muted">${s.stepId}</span></th><td>${s.status}<br><span class="muted">${when(s.finishedAt ?? s.startedAt)}</span></td><td class="num">${s.attempts}</td><td>${kind}${s.lastError ?? ''}</td><td>${action}</td></tr>`;
  })}</tbody></table></div>${resumeForm(ctx, d)}`;
}

function escalationsSection(d: HandoffDetail): Html {
  if (d.escalations === null) return unavailable('Escalations');
  const { checks, fired } = d.escalations;
  if (checks.length === 0) return html`<p class="muted">No escalation checks for this handoff.</p>`;
  return html`<div class="table-scroll"><table><thead><tr><th scope="col">Check</th><th scope="col">State</th><th scope="col">Next due</th><th scope="col">Acknowledged</th></tr></thead>
<tbody>${checks.map((c) => html`<tr><th scope="row">${c.triggerId}</th><td>${c.status}${c.lastFiredAt ? html` <span class="badge warn">fired</span>` : ''}</td><td>${when(c.dueAt)}</td><td>${c.ackedBy ? html`${c.ackedBy}, ${when(c.ackedAt)}` : c.snoozedUntil ? html`snoozed until ${when(c.snoozedUntil)}` : '—'}</td></tr>`)}</tbody></table></div>
${fired.length ? html`<h3>Sent</h3><ul>${fired.map((e) => html`<li>${when(e.sentAt ?? e.claimedAt)} — ${e.triggerId}, rung ${e.rung}: ${e.reason}${e.notified.length ? html` <span class="muted">(to ${e.notified.map((n) => n.email ?? n.role).join(', ')})</span>` : ''}${e.snoozedBy ? html` · snoozed by ${e.snoozedBy}` : ''}</li>`)}</ul>` : ''}`;
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

export function handoffPage(ctx: PageContext, d: HandoffDetail, now: Date, notice?: Html): Html {
  const h = d.handoff;
  const plan = (h.plan ?? null) as StoredPlan | null;
  const deal = h.deal as DealJson | null;
  const stepIds = (id: string) => d.steps.find((s) => s.stepId === id)?.externalIds;
  const work = stepIds('create-work') as Partial<CreatedWork> | undefined;
  const intro = stepIds('post-intro') as Partial<PostedMessage> | undefined;
  const risk = riskOf({ status: h.status, phase: h.phase, updatedAt: h.updatedAt, complete: h.complete, missingCount: h.missing.length, overdueTasks: null, openEscalations: null }, now);
  const people = plan?.people ?? {};
  const body = html`${notice ?? ''}<p><a href="/">← All handoffs</a></p>
<h1>${h.title}</h1>
<div class="cards">
<section class="panel" aria-labelledby="facts"><h2 id="facts">Facts</h2>
<p>${statusBadge(h.status, h.phase)} ${risk.stalled ? html`<span class="badge warn">Stalled</span>` : ''}</p>
${risk.reasons.length ? html`<ul class="reasons">${risk.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
<p>Client: ${deal?.company?.name ?? '—'}<br>Deal: ${h.dealName ?? h.dealId} (${h.crm} ${h.dealId})<br>Value: ${money(deal?.properties?.amount ?? null, deal?.properties?.deal_currency_code ?? null)}<br>
Mapping: ${h.mapping}<br>Closed: ${when(h.closedAt)}<br>Kickoff due: ${plan?.kickoffDue ?? '—'}</p>
${h.lastError ? html`<p class="error">${h.lastError}</p>` : ''}</section>
<section class="panel" aria-labelledby="people"><h2 id="people">People</h2><ul>${Object.values(people).map((p) => html`<li>${p.role}: ${p.name ?? ''} ${p.email ? html`<span class="muted">${p.email}</span>` : html`<span class="muted">none</span>`}</li>`)}</ul></section>
<section class="panel" aria-labelledby="links"><h2 id="links">Links</h2>${links(d, work, intro, d.dryRuns.some((r) => r.action === 'postIntro'))}</section>
</div>
<h2>Steps</h2>${stepsSection(ctx, d)}
<h2>Tasks</h2>${tasksSection(d, plan, work)}
<h2>Handoff document</h2>${documentSection(d)}
<h2>Escalations</h2>${escalationsSection(d)}
<h2>Feedback</h2>${feedbackSection(d)}
<h2>Audit trail</h2>${auditSection(d)}`;
  return layout(ctx, h.title, body);
}
