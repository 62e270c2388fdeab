// Small display helpers shared by the pages.
import { html, type Html } from '../html.js';

export const STEP_LABELS: Record<string, string> = {
  'create-work': 'Work',
  'post-intro': 'Intro',
  'write-back': 'CRM',
  'schedule-checks': 'Checks',
};

const STEP_MARK: Record<string, string> = { done: '✓', failed: '✗', running: '…', pending: '·', skipped: '–' };

export function stepChip(stepId: string, status: string): Html {
  return html`<span class="step ${status}" title="${stepId}: ${status}">${STEP_LABELS[stepId] ?? stepId} <span aria-hidden="true">${STEP_MARK[status] ?? ''}</span><span class="sr-only">${status}</span></span>`;
}

/** What the document lacks, when the state badge should say so. */
export interface DocumentState {
  complete: boolean;
  missingCount: number;
}

/**
 * The handoff's state. A handoff whose steps all ran but whose document misses required fields is not
 * the same "done" as a complete one: it says so, in amber, with how many fields are missing.
 */
export function statusBadge(status: string, phase?: string, doc?: DocumentState): Html {
  if (phase === 'preparing') return html`<span class="badge neutral">preparing</span>`;
  if (status === 'done' && doc && !doc.complete) {
    return html`<span class="badge warn long">done — document incomplete (${plural(doc.missingCount, 'field')} missing)</span>`;
  }
  const kind = status === 'failed' ? 'bad' : status === 'done' ? 'ok' : status === 'stopped' ? 'neutral' : 'warn';
  return html`<span class="badge ${kind}">${status}</span>`;
}

export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A mapping's role key as people say it: `sales_rep` → "Sales rep". */
export function roleLabel(role: string): string {
  const words = role.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : role;
}

// Intl formatters are costly to build: one per currency, reused.
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const byCurrency = new Map<string, Intl.NumberFormat | null>();
function currencyFormat(code: string): Intl.NumberFormat | null {
  if (!byCurrency.has(code)) {
    let f: Intl.NumberFormat | null = null;
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency: code, maximumFractionDigits: 0 });
    } catch {
      /* unknown currency code */
    }
    if (byCurrency.size < 500) byCurrency.set(code, f);
    else return f;
  }
  return byCurrency.get(code) ?? null;
}

export function money(amount: string | null, currency: string | null): string {
  if (!amount) return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return amount;
  const f = currency && /^[A-Z]{3}$/.test(currency) ? currencyFormat(currency) : null;
  return f ? f.format(n) : `${plain.format(n)}${currency ? ` ${currency}` : ''}`;
}

export function daysSince(iso: string | null, now: Date): number | null {
  return iso ? Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000)) : null;
}

/** A CRM date property (ISO text or epoch milliseconds) as its calendar day, "2026-11-24"; HubSpot keeps dates at UTC. */
export function calendarDay(value: string | null | undefined): string | null {
  if (!value) return null;
  const d = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().slice(0, 10);
}

/** "2026-01-05 14:03 UTC": unambiguous for a team across time zones. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function person(name: string | null, email: string | null): Html {
  if (!name && !email) return html`<span class="muted">—</span>`;
  return name ? html`<span title="${email ?? ''}">${name}</span>` : html`${email}`;
}

export const unavailable = (what: string) => html`<p class="unavailable">${what} not available yet: it appears when the watching work (escalations, live task status, feedback) is enabled.</p>`;
