// Admin: connectors, failed and dead-lettered work with Retry, queue health (bull-board), mappings with
// their validation errors, and a preview of a mapping against a pasted deal.
import type { LoadedMapping, MappingError } from '../../mapping/load-mappings.js';
import type { BuiltHandoff } from '../../mapping/build-handoff.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import type { FailedCheck, FailedStep } from '../queries/admin-query.js';
import type { DeadJob, QueueCounts } from '../../queue/dead-letter.js';
import { when } from './format.js';

export interface ConnectorStatus {
  role: string;
  system: string;
  mode: 'live' | 'dry-run';
  /** Requests per second the shared limiter allows. */
  rate: number | null;
  backlogMs: number | null;
  /** The shared circuit breaker's view of the system (live connectors only). */
  circuit: { state: 'closed' | 'open' | 'half-open'; failures: number; retryAfterMs: number } | null;
  lastError: { message: string; at: string } | null;
}

function circuitCell(c: ConnectorStatus['circuit']): Html {
  if (!c) return html`<span class="muted">—</span>`;
  if (c.state === 'open') return html`<span class="badge bad">open</span> <span class="muted">calls resume in ${Math.ceil(c.retryAfterMs / 1000)} s</span>`;
  if (c.state === 'half-open') return html`<span class="badge warn">half-open</span> <span class="muted">one probe decides</span>`;
  return html`<span class="badge ok">closed</span>${c.failures ? html` <span class="muted">${c.failures} failure${c.failures > 1 ? 's' : ''} in a row</span>` : ''}`;
}

export interface AdminView {
  connectors: ConnectorStatus[];
  failed: FailedStep[];
  failedChecks: FailedCheck[];
  /** CRM events still pending minutes after they arrived (jobs/inbox-sweep.ts). */
  stuckInbox: number;
  dead: { counts: QueueCounts[]; jobs: DeadJob[] };
  mappings: LoadedMapping[];
  mappingErrors: MappingError[];
  crmLive: boolean;
}

function connectorsSection(list: ConnectorStatus[]): Html {
  return html`<div class="table-scroll" role="region" aria-label="Connectors" tabindex="0"><table><thead><tr><th scope="col">Role</th><th scope="col">System</th><th scope="col">Mode</th><th scope="col" class="num">Rate limit</th><th scope="col" class="num">Limiter backlog</th><th scope="col">Circuit</th><th scope="col">Last error</th></tr></thead>
<tbody>${list.map(
    (c) => html`<tr><th scope="row">${c.role}</th><td>${c.system}</td><td>${c.mode === 'live' ? html`<span class="badge ok">live</span>` : html`<span class="badge neutral">dry-run</span> <span class="muted">no credentials</span>`}</td>
<td class="num">${c.rate === null ? '—' : `${c.rate}/s`}</td><td class="num">${c.backlogMs === null ? '—' : c.backlogMs === 0 ? 'idle' : `${c.backlogMs} ms`}</td>
<td>${circuitCell(c.circuit)}</td>
<td>${c.lastError ? html`${c.lastError.message}<br><span class="muted">${when(c.lastError.at)}</span>` : html`<span class="muted">none</span>`}</td></tr>`,
  )}</tbody></table></div>`;
}

function failedSection(ctx: PageContext, failed: FailedStep[]): Html {
  if (failed.length === 0) return html`<p class="notice ok">No failed work.</p>`;
  return html`<div class="table-scroll" role="region" aria-label="Failed work" tabindex="0"><table><thead><tr><th scope="col">Handoff</th><th scope="col">Step</th><th scope="col">Error</th><th scope="col" class="num">Attempts</th><th scope="col">When</th><th scope="col">Action</th></tr></thead>
<tbody>${failed.map(
    (f) => html`<tr class="failed"><th scope="row"><a href="/handoffs/${f.handoffId}">${f.title}</a><br><span class="muted">${f.mapping}</span></th><td>${f.stepId}<br><span class="muted">${f.stepStatus}</span></td>
<td>${f.permanent ? html`<span class="badge bad">permanent</span> <span class="muted">fix the cause, then retry</span>` : html`<span class="badge warn">retryable</span> <span class="muted">retries ran out</span>`}<br>${f.lastError ?? ''}</td>
<td class="num">${f.attempts}</td><td>${when(f.updatedAt)}</td>
<td><form method="post" action="/admin/retry">${csrfField(ctx)}<input type="hidden" name="handoffId" value="${f.handoffId}"><input type="hidden" name="stepId" value="${f.stepId}"><input type="hidden" name="back" value="/admin"><button type="submit">Retry</button></form></td></tr>`,
  )}</tbody></table></div>`;
}

function failedChecksSection(checks: FailedCheck[]): Html {
  if (checks.length === 0) return html``;
  return html`<h3>Escalation checks that failed</h3><div class="table-scroll" role="region" aria-label="Failed escalation checks" tabindex="0"><table><thead><tr><th scope="col">Handoff</th><th scope="col">Check</th><th scope="col">Error and retry</th><th scope="col">When</th></tr></thead>
<tbody>${checks.map(
    (c) => html`<tr class="failed"><th scope="row"><a href="/handoffs/${c.handoffId}">${c.title}</a><br><span class="muted">${c.mapping}</span></th><td>${c.triggerId}<br><span class="muted">level ${c.rung + 1}</span></td><td><span class="badge bad">failed</span> ${c.note ?? ''}</td><td>${when(c.updatedAt)}</td></tr>`,
  )}</tbody></table></div>`;
}

function deadSection(dead: AdminView['dead']): Html {
  return html`<div class="table-scroll"><table><thead><tr><th scope="col">Queue</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">Active</th><th scope="col" class="num">Delayed</th><th scope="col" class="num">Failed (dead-lettered)</th></tr></thead>
<tbody>${dead.counts.map((c) => html`<tr><th scope="row">${c.queue}</th><td class="num">${c.waiting}</td><td class="num">${c.active}</td><td class="num">${c.delayed}</td><td class="num">${c.failed}</td></tr>`)}</tbody></table></div>
${dead.jobs.length
  ? html`<h3>Latest dead-lettered jobs</h3><ul>${dead.jobs.map(
      (j) => html`<li>${j.queue} ${j.name} #${j.id} — ${j.failedReason} <span class="muted">(${j.attemptsMade} attempts${j.finishedOn ? `, ${when(new Date(j.finishedOn).toISOString())}` : ''})</span>${j.handoffId ? html` · <a href="/handoffs/${j.handoffId}">handoff</a>` : ''}</li>`,
    )}</ul>`
  : ''}
<p><a href="/admin/queues/">Open the queue dashboard</a> (jobs, retries, delays).</p>`;
}

function mappingsSection(v: AdminView): Html {
  const loaded = v.mappings.length
    ? html`<div class="table-scroll"><table><thead><tr><th scope="col">Mapping</th><th scope="col">File</th><th scope="col">Trigger</th><th scope="col">Work</th><th scope="col">State</th></tr></thead>
<tbody>${v.mappings.map(
        (m) => html`<tr><th scope="row">${m.mapping.name}</th><td>${m.file}</td><td>${m.mapping.trigger.crm} ${m.mapping.trigger.pipeline ?? ''} → ${m.mapping.trigger.stage ?? ''}</td><td>${m.mapping.work.tool} ${m.mapping.work.project}, ${m.mapping.work.tasks.length} tasks</td><td><span class="badge ok">valid</span></td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="notice bad">No valid mapping is loaded: no deal will be handed off.</p>`;
  const errors = v.mappingErrors.length
    ? html`<h3>Rejected (fix and restart, or run <code>baton validate</code>)</h3><ul>${v.mappingErrors.map(
        (e) => html`<li class="error"><code>${e.file}:${e.line}:${e.column}</code> ${e.path}: ${e.message}</li>`,
      )}</ul>`
    : html`<p class="muted">No validation errors.</p>`;
  return html`${loaded}${errors}`;
}

export function previewForm(ctx: PageContext, mappings: LoadedMapping[], o: { mapping?: string; deal?: string; dealId?: string; closedAt?: string; crmLive: boolean }): Html {
  return html`<form method="post" action="/admin/preview" class="panel">${csrfField(ctx)}
<div class="field"><label for="p-mapping">Mapping</label><select id="p-mapping" name="mapping">${mappings.map((m) => html`<option${m.mapping.name === o.mapping ? html` selected` : ''}>${m.mapping.name}</option>`)}</select></div>
${o.crmLive ? html`<div class="field"><label for="p-deal-id">Deal id (read from the CRM)</label><input id="p-deal-id" name="dealId" type="text" inputmode="numeric" value="${o.dealId ?? ''}"></div>` : ''}
<div class="field"><label for="p-deal">Deal JSON${o.crmLive ? ' (or leave empty and give a deal id)' : ''}: a saved deal or a HubSpot workflow webhook payload</label><textarea id="p-deal" name="deal" rows="10" spellcheck="false">${o.deal ?? ''}</textarea></div>
<div class="field"><label for="p-closed">Close time (ISO 8601, optional; default now)</label><input id="p-closed" name="closedAt" type="text" value="${o.closedAt ?? ''}"></div>
<button type="submit">Preview</button></form>`;
}

function stuckInboxNotice(n: number): Html | string {
  if (n === 0) return '';
  return html`<p class="notice bad" role="status">${n} CRM event${n > 1 ? 's have' : ' has'} waited more than 5 minutes to be routed. The inbox sweep re-queues lost ones every minute; if the number stays, look for dead-lettered <code>route</code> jobs below.</p>`;
}

/** At the top of the page: a rejected mapping silently hands off nothing, so it must not hide at the bottom. */
function rejectedMappingsNotice(errors: MappingError[]): Html | string {
  if (errors.length === 0) return '';
  const files = [...new Set(errors.map((e) => e.file))];
  return html`<p class="notice bad" role="alert">${files.length} mapping file${files.length > 1 ? 's were' : ' was'} rejected at start-up (${files.join(', ')}): deals ${files.length > 1 ? 'they' : 'it'} would match are not handed off. <a href="#mappings">See the errors</a>, fix ${files.length > 1 ? 'them' : 'it'} and restart.</p>`;
}

export function adminPage(ctx: PageContext, v: AdminView, notice?: Html): Html {
  const body = html`${notice ?? ''}<h1>Admin</h1>${rejectedMappingsNotice(v.mappingErrors)}
<h2 id="failed-work">Failed work</h2>${v.failed.length === 0 && v.failedChecks.length > 0 ? '' : failedSection(ctx, v.failed)}${failedChecksSection(v.failedChecks)}${stuckInboxNotice(v.stuckInbox)}
<h2>Queues</h2>${deadSection(v.dead)}
<h2>Connectors</h2>${connectorsSection(v.connectors)}
<h2 id="mappings">Mappings</h2>${mappingsSection(v)}
<h2 id="preview">Preview a mapping</h2><p class="muted">Shows what a closed deal would become. Calls nothing and stores nothing.</p>${previewForm(ctx, v.mappings, { crmLive: v.crmLive })}`;
  return layout(ctx, 'Admin', body);
}

export function previewPage(ctx: PageContext, mappings: LoadedMapping[], input: { mapping?: string; deal?: string; dealId?: string; closedAt?: string; crmLive: boolean }, result: { built: BuiltHandoff } | { error: string }): Html {
  const out =
    'error' in result
      ? html`<p class="notice bad" role="alert">${result.error}</p>`
      : html`<h2>Document</h2>${result.built.document.complete ? html`<p class="notice ok">Complete.</p>` : html`<p class="notice bad">Missing: ${result.built.document.missing.map((m) => m.label).join(', ')}</p>`}
${result.built.document.sections.map(
  (s) => html`<h3>${s.title}</h3><dl class="doc">${s.fields.map((f) => html`<dt>${f.label}</dt><dd>${f.missing && f.required ? html`<span class="missing">Missing</span>` : (f.value ?? '—')}</dd>`)}</dl>`,
)}
<h2>People</h2><ul>${Object.values(result.built.people).map((p) => html`<li>${p.role}: ${p.email ?? 'none'} ${p.name ? `(${p.name})` : ''} <span class="muted">from ${p.source}</span></li>`)}</ul>
<h2>Work: ${result.built.work.tool}, project ${result.built.work.project}</h2><p>Parent: ${result.built.work.parent.summary}</p>
<div class="table-scroll"><table><thead><tr><th scope="col">Task</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">After</th></tr></thead><tbody>${result.built.work.tasks.map(
  (t) => html`<tr><th scope="row">${t.summary}<br><span class="muted">${t.id}</span></th><td>${t.assigneeEmail ?? 'unassigned'}${t.assigneeRole ? html`<br><span class="muted">${t.assigneeRole}</span>` : ''}</td><td>${t.dueDate ?? '—'}</td><td>${t.after.join(', ') || '—'}</td></tr>`,
)}</tbody></table></div>
<h2>Slack intro</h2><p>${result.built.intro.channel ? `Channel ${result.built.intro.channel}${result.built.intro.threadTs ? `, in thread ${result.built.intro.threadTs}` : ', new thread'}` : 'Not posted: the deal names no client channel.'}</p><pre>${result.built.intro.text}</pre>`;
  return layout(ctx, 'Preview', html`<p><a href="/admin">← Admin</a></p><h1>Preview a mapping</h1>${previewForm(ctx, mappings, input)}${out}`);
}
