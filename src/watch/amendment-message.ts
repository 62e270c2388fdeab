// The project lead's Slack message when an amended deal changes the plan (issue 16, item 2): what the deal change
// means for the work — tasks to add, tasks to cancel, dates that move — with Apply / Dismiss buttons naming the
// exact proposal (handoff + diff digest), so a stale button can never apply a different change. Untrusted text
// (task summaries come from deal fields) is escaped for mrkdwn. Pure.
import { escapeMrkdwn, toOneLine } from '../handoff/escape.js';
import { truncateForSlack, SLACK_SECTION_TEXT_MAX } from '../handoff/render-slack.js';
import type { PlanDiff } from '../handoff/plan-diff.js';
import { linkText } from './slack-text.js';

export const AMEND_APPLY_ACTION_ID = 'baton_amendment_apply';
export const AMEND_DISMISS_ACTION_ID = 'baton_amendment_dismiss';
export const AMENDMENT_EVENT_TYPE = 'baton_amendment';

export interface AmendmentRef {
  handoffId: string;
  digest: string;
}

export function encodeAmendmentRef(r: AmendmentRef): string {
  return JSON.stringify({ h: r.handoffId, d: r.digest });
}

export function decodeAmendmentRef(value: unknown): AmendmentRef | null {
  if (typeof value !== 'string' || value.length > 300) return null;
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    if (typeof v.h !== 'string' || typeof v.d !== 'string' || !/^[0-9a-f]{16}$/.test(v.d)) return null;
    return { handoffId: v.h, digest: v.d };
  } catch {
    return null;
  }
}

const line = (s: string) => escapeMrkdwn(toOneLine(s));
const date = (d: string | null) => d ?? 'no date';

/** The diff as mrkdwn lines, grouped; empty groups are left out. */
export function diffLines(diff: PlanDiff): string[] {
  const out: string[] = [];
  if (diff.add.length) out.push('*Add:*', ...diff.add.map((t) => `• ${line(t.summary)} — due ${date(t.dueDate)}`));
  if (diff.cancel.length) out.push('*Cancel* (closed with a comment, not deleted):', ...diff.cancel.map((t) => `• ${line(t.summary)}`));
  if (diff.moved.length) out.push('*Dates that move:*', ...diff.moved.map((m) => `• ${line(m.summary)}: ${date(m.from)} → ${date(m.to)}`));
  if (diff.renamed.length) out.push('*Renamed:*', ...diff.renamed.map((r) => `• ${line(r.from)} → ${line(r.to)}`));
  if (diff.relink.length) out.push('*Dependencies:*', ...diff.relink.map((r) => `• ${line(r.summary)}: ${[...r.added.map((a) => `+${line(a)}`), ...r.removed.map((x) => `−${line(x)}`)].join(', ')}`));
  return out;
}

export function buildAmendmentMessage(m: { handoffId: string; title: string; why: string; diff: PlanDiff; handoffUrl: string; dealUrl: string | null }): { text: string; blocks: unknown[] } {
  const headline = `:memo: *The deal changed after the handoff:* ${line(m.title)}`;
  const why = `_${line(m.why)}_`;
  const body = truncateForSlack(diffLines(m.diff).join('\n'), SLACK_SECTION_TEXT_MAX);
  const links = [linkText(m.handoffUrl, 'Handoff'), linkText(m.dealUrl, 'Deal')].filter((x): x is string => x !== null).join(' · ');
  const value = encodeAmendmentRef({ handoffId: m.handoffId, digest: m.diff.digest });
  return {
    text: `The deal changed after the handoff: ${toOneLine(m.title)} — review the plan changes`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${headline}\n${why}` } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
      ...(links ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: links }] }] : []),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: AMEND_APPLY_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Apply' }, value },
          { type: 'button', action_id: AMEND_DISMISS_ACTION_ID, text: { type: 'plain_text', text: 'Dismiss' }, value },
        ],
      },
    ],
  };
}
