// Home: every active handoff, riskiest first. Stalled and failed rows are tinted and say why in words.
import { html, type Html } from '../html.js';
import { layout, type PageContext } from '../layout.js';
import { BOARD_SORTS, BOARD_STATES, type BoardFilter, type BoardPage, type BoardRow, type FilterOptions } from '../queries/board-query.js';
import { daysSince, money, person, statusBadge, stepChip } from './format.js';

const STATE_LABELS: Record<string, string> = {
  open: 'Open (active and recent)',
  attention: 'Needs attention',
  preparing: 'Preparing (before close)',
  pending: 'Pending',
  running: 'Running',
  failed: 'Failed',
  done: 'Handed off',
  stopped: 'Stopped',
  all: 'All',
};
const SORT_LABELS: Record<string, string> = { risk: 'Risk (highest first)', newest: 'Newest close', oldest: 'Oldest close' };

function select(name: string, label: string, options: { value: string; label: string }[], selected: string | undefined): Html {
  return html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}">${options.map(
    (o) => html`<option value="${o.value}"${o.value === (selected ?? '') ? html` selected` : ''}>${o.label}</option>`,
  )}</select></div>`;
}

export function queryString(f: BoardFilter, page: number): string {
  const p = new URLSearchParams();
  if (f.state !== 'open') p.set('state', f.state);
  if (f.sort !== 'risk') p.set('sort', f.sort);
  if (f.rep) p.set('rep', f.rep);
  if (f.lead) p.set('lead', f.lead);
  if (f.mapping) p.set('mapping', f.mapping);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `/?${s}` : '/';
}

function blockers(r: BoardRow): Html {
  const parts: Html[] = [];
  const failed = r.steps.filter((s) => s.status === 'failed');
  if (failed.length) parts.push(html`<span class="badge bad">${failed.length} failed step${failed.length > 1 ? 's' : ''}</span>`);
  if (r.overdueTasks) parts.push(html`<span class="badge bad">${r.overdueTasks} overdue</span>`);
  if (r.blockedTasks) parts.push(html`<span class="badge warn">${r.blockedTasks} blocked</span>`);
  if (r.openEscalations) parts.push(html`<span class="badge bad">${r.openEscalations} escalation${r.openEscalations > 1 ? 's' : ''}</span>`);
  if (parts.length) return html`<div class="stack">${parts}</div>`;
  const unknown = [r.overdueTasks === null ? 'task status' : null, r.openEscalations === null ? 'escalations' : null].filter((x) => x !== null);
  return unknown.length ? html`<span class="muted small">none known (${unknown.join(', ')} not available yet)</span>` : html`<span class="muted">none</span>`;
}

function row(r: BoardRow, now: Date): Html {
  const cls = r.status === 'failed' ? 'failed' : r.risk.stalled ? 'attention' : '';
  const days = daysSince(r.closedAt, now);
  const flag = r.status === 'failed' ? html`<span class="badge bad">Failed</span>` : r.risk.stalled ? html`<span class="badge warn">Stalled</span>` : '';
  return html`<tr class="${cls}" data-handoff="${r.id}">
<th scope="row"><a href="/handoffs/${r.id}">${r.client ?? r.dealName ?? r.title}</a>${r.client && r.dealName ? html`<br><span class="muted">${r.dealName}</span>` : ''}
${flag ? html` ${flag}` : ''}${r.risk.reasons.length ? html`<ul class="reasons">${r.risk.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : ''}</th>
<td class="num" data-label="Value">${money(r.amount, r.currency)}</td>
<td data-label="Rep / lead"><span class="role">Rep</span> ${person(r.repName, r.repEmail)}<br><span class="role">Lead</span> ${person(r.leadName, r.leadEmail)}</td>
<td class="num" data-label="Since won">${days === null ? '—' : `${days} d`}</td>
<td data-label="Document">${r.complete ? html`<span class="badge ok">complete</span>` : html`<span class="badge bad">missing ${r.missingCount}</span>`}</td>
<td data-label="Steps"><div class="steps">${r.steps.length ? r.steps.map((s) => stepChip(s.stepId, s.status)) : html`<span class="muted">not started</span>`}</div></td>
<td data-label="Next milestone">${r.kickoffDue ? html`Kickoff<br><span class="muted">${r.kickoffDue}</span>` : html`<span class="muted">—</span>`}</td>
<td data-label="Blockers">${blockers(r)}</td>
<td class="state" data-label="State">${statusBadge(r.status, r.phase, { complete: r.complete, missingCount: r.missingCount })}<br><span class="muted small">${r.mapping}</span></td>
</tr>`;
}

export function boardTable(board: BoardPage, f: BoardFilter, now: Date): Html {
  if (board.rows.length === 0) return html`<p class="panel">No handoffs match these filters.</p>`;
  const prev = board.page > 1 ? html`<a href="${queryString(f, board.page - 1)}" rel="prev">← Previous</a>` : '';
  const next = board.page < board.pages ? html`<a href="${queryString(f, board.page + 1)}" rel="next">Next →</a>` : '';
  return html`<p class="muted">${board.total} handoff${board.total === 1 ? '' : 's'} · page ${board.page} of ${board.pages}</p>
<div class="table-scroll" role="region" aria-label="Handoffs" tabindex="0"><table class="cards-narrow">
<thead><tr><th scope="col">Client / deal</th><th scope="col" class="num">Value</th><th scope="col">Rep / project lead</th>
<th scope="col" class="num" title="Days since the deal was marked won">Since won</th><th scope="col">Document</th><th scope="col">Steps</th><th scope="col">Next milestone</th><th scope="col">Blockers, escalations</th><th scope="col">State</th></tr></thead>
<tbody>${board.rows.map((r) => row(r, now))}</tbody></table></div>
<nav class="pager" aria-label="Pages">${prev}${next}</nav>`;
}

export function handoffsPage(ctx: PageContext, f: BoardFilter, board: BoardPage, options: FilterOptions, now: Date): Html {
  const any = { value: '', label: 'Anyone' };
  const form = html`<form class="filters panel" method="get" action="/" aria-label="Filter handoffs">
${select('state', 'State', BOARD_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] ?? s })), f.state)}
${select('rep', 'Sales rep', [any, ...options.reps.map((r) => ({ value: r, label: r }))], f.rep)}
${select('lead', 'Project lead', [any, ...options.leads.map((r) => ({ value: r, label: r }))], f.lead)}
${select('mapping', 'Mapping', [{ value: '', label: 'All mappings' }, ...options.mappings.map((m) => ({ value: m, label: m }))], f.mapping)}
${select('sort', 'Sort by', BOARD_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] ?? s })), f.sort)}
<div><button type="submit">Apply</button></div>
<p id="live" class="live" hidden><label><input type="checkbox" id="live-toggle" checked> Live refresh</label> <span id="live-status" role="status" aria-live="polite"></span></p>
</form>`;
  const body = html`<h1>Handoffs</h1>${form}<section id="board" aria-label="Handoff list">${boardTable(board, f, now)}</section>`;
  return layout(ctx, 'Handoffs', body, { script: true });
}
