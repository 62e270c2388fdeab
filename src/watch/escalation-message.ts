// The Slack escalation: what stalled, since when, who owns it, what the handoff promised the client,
// links to the task, the deal and the dashboard, the people to notify (mentioned), and Acknowledge /
// Snooze buttons whose value names the exact rung. Untrusted text is escaped for mrkdwn. Pure.
import { escapeMrkdwn, toOneLine } from '../handoff/escape.js';
import { durationFromMs, formatDuration } from '../handoff/durations.js';
import { truncateForSlack, SLACK_SECTION_TEXT_MAX } from '../handoff/render-slack.js';
import { dateText, linkText, personText, type MessagePerson } from './slack-text.js';

export const ACK_ACTION_ID = 'baton_escalation_ack';
export const SNOOZE_ACTION_ID = 'baton_escalation_snooze';
export const ESCALATION_EVENT_TYPE = 'baton_escalation';

/** What a button carries back: the rung it is about. */
export interface EscalationRef {
  handoffId: string;
  triggerId: string;
  rung: number;
  round: number;
}

export function encodeEscalationRef(r: EscalationRef): string {
  return JSON.stringify({ h: r.handoffId, t: r.triggerId, r: r.rung, n: r.round });
}

export function decodeEscalationRef(value: unknown): EscalationRef | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    if (typeof v.h !== 'string' || typeof v.t !== 'string' || !Number.isSafeInteger(v.r) || !Number.isSafeInteger(v.n)) return null;
    return { handoffId: v.h, triggerId: v.t, rung: v.r as number, round: v.n as number };
  } catch {
    return null;
  }
}

export interface EscalationMessageInput {
  ref: EscalationRef;
  /** The handoff's title (untrusted: built from deal text). */
  title: string;
  /** "task kickoff is not done" (describeStall). */
  stalled: string;
  since: Date;
  owner: MessagePerson | null;
  /** What the handoff promised the client: labelled values from the document (untrusted). */
  promised: { label: string; value: string }[];
  taskUrl: string | null;
  dealUrl: string | null;
  handoffUrl: string;
  notify: MessagePerson[];
  /** How many rungs fired before this one, and whether this is a re-check after a snooze. */
  snoozed: boolean;
  /** How long Snooze waits (BATON_SNOOZE_SECONDS): the button says so. */
  snoozeMs: number;
}

export function buildEscalationMessage(m: EscalationMessageInput): { text: string; blocks: unknown[] } {
  const title = escapeMrkdwn(toOneLine(m.title));
  const level = m.ref.rung === 0 ? '' : ` (escalation level ${m.ref.rung + 1})`;
  const again = m.snoozed ? ' — still stalled after a snooze' : '';
  const headline = `:rotating_light: *Handoff stalled${level}:* ${title}${again}`;
  const lines = [
    `*What:* ${escapeMrkdwn(toOneLine(m.stalled))}`,
    `*Since:* ${dateText(m.since)}`,
    `*Owner:* ${m.owner ? personText(m.owner) : 'nobody assigned'}`,
  ];
  if (m.promised.length > 0) {
    lines.push(`*Promised to the client:* ${m.promised.map((p) => `${escapeMrkdwn(toOneLine(p.label))}: ${escapeMrkdwn(toOneLine(p.value))}`).join('; ')}`);
  }
  const links = [linkText(m.taskUrl, 'Task'), linkText(m.dealUrl, 'Deal'), linkText(m.handoffUrl, 'Handoff on the dashboard')].filter((l): l is string => l !== null);
  const mentions = m.notify.map(personText);
  const text = `Handoff stalled: ${title} — ${escapeMrkdwn(toOneLine(m.stalled))}`;
  const value = encodeEscalationRef(m.ref);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', verbatim: true, text: truncateForSlack(`${headline}\n${lines.join('\n')}`, SLACK_SECTION_TEXT_MAX) } },
  ];
  if (links.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', verbatim: true, text: links.join('  ·  ') }] });
  if (mentions.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', verbatim: true, text: truncateForSlack(`cc ${mentions.join(' ')}`, SLACK_SECTION_TEXT_MAX) } });
  blocks.push({
    type: 'actions',
    block_id: 'baton_escalation',
    elements: [
      { type: 'button', action_id: ACK_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, value },
      { type: 'button', action_id: SNOOZE_ACTION_ID, text: { type: 'plain_text', text: `Snooze ${formatDuration(durationFromMs(m.snoozeMs))}` }, value },
    ],
  });
  // The notification text carries the mentions too, so the people are pinged.
  return { text: truncateForSlack(`${text}${mentions.length ? ` — cc ${mentions.join(' ')}` : ''}`, 3000), blocks };
}

/** The reply under an escalation after a click: who did what, when. */
export function buildActionReply(kind: 'ack' | 'snooze', who: string, until?: Date): string {
  const by = /^[UW][A-Z0-9]+$/.test(who) ? `<@${who}>` : escapeMrkdwn(toOneLine(who));
  return kind === 'ack' ? `:white_check_mark: Acknowledged by ${by}: no further escalation for this.` : `:zzz: Snoozed by ${by} until ${dateText(until ?? new Date())}: Baton checks again then.`;
}

export interface StepFailureMessageInput {
  /** The handoff's title (untrusted: built from deal text). */
  title: string;
  /** The step that failed for good, e.g. "post-intro". */
  step: string;
  /** The classified error: it names the mapping, the step and what an admin has to change. */
  error: string;
  dealUrl: string | null;
  handoffUrl: string;
  notify: MessagePerson[];
}

const STEP_WHAT: Record<string, string> = {
  'post-intro': "the introduction in the client's thread was not posted",
  'write-back': 'the status and timeline note were not written back to the CRM deal',
};

/**
 * A handoff step that failed for good after the work was created (the intro, the write-back): the work
 * exists and is watched, but a person has to fix what the error names and press Retry. No buttons: the
 * fix happens outside Slack and Retry on the dashboard resumes the handoff.
 */
export function buildStepFailureMessage(m: StepFailureMessageInput): { text: string; blocks: unknown[] } {
  const title = escapeMrkdwn(toOneLine(m.title));
  const what = STEP_WHAT[m.step] ?? `step ${m.step} failed`;
  const fix = escapeMrkdwn(toOneLine(m.error));
  const lines = [
    `*What:* ${escapeMrkdwn(what)} (step \`${escapeMrkdwn(m.step)}\`). The work was created and Baton is watching it.`,
    `*Fix:* ${fix}`,
    '*Then:* press *Retry* on the handoff in the dashboard; steps that succeeded are not repeated.',
  ];
  const links = [linkText(m.handoffUrl, 'Handoff on the dashboard'), linkText(m.dealUrl, 'Deal')].filter((l): l is string => l !== null);
  const mentions = m.notify.map(personText);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', verbatim: true, text: truncateForSlack(`:warning: *Handoff step failed:* ${title}\n${lines.join('\n')}`, SLACK_SECTION_TEXT_MAX) } },
  ];
  if (links.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', verbatim: true, text: links.join('  ·  ') }] });
  if (mentions.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', verbatim: true, text: truncateForSlack(`cc ${mentions.join(' ')}`, SLACK_SECTION_TEXT_MAX) } });
  const text = `Handoff step failed: ${title} — ${what}. Fix: ${fix}`;
  return { text: truncateForSlack(`${text}${mentions.length ? ` — cc ${mentions.join(' ')}` : ''}`, 3000), blocks };
}
