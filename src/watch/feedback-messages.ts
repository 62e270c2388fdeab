// What the feedback loop says: the DM to the delivery lead (a button that opens the Slack modal, and the
// signed web form link as the fallback), the modal itself, reading the modal's submission, the summary
// sent to the rep, and the HubSpot note. Untrusted text is escaped per target. Pure.
import { escapeMrkdwn, toOneLine } from '../handoff/escape.js';
import type { FeedbackQuestion } from '../mapping/schema.js';
import { answerLines, questionOptions } from './feedback-questions.js';
import type { FeedbackAnswers } from './feedback-aggregates.js';
import { linkText } from './slack-text.js';

export const FEEDBACK_OPEN_ACTION_ID = 'baton_feedback_open';
export const FEEDBACK_VIEW_CALLBACK_ID = 'baton_feedback';
/** Slack modal limits: title 24 chars, label 2000, option text 75. */
const MODAL_TITLE = 'Handoff feedback';

export function buildFeedbackAsk(o: { handoffId: string; title: string; formUrl: string | null; reminder: boolean }): { text: string; blocks: unknown[] } {
  const title = escapeMrkdwn(toOneLine(o.title));
  const lead = o.reminder ? 'A reminder: how did the handoff go' : 'How did the handoff go';
  const text = `${lead} for *${title}*? A few questions, two minutes, so sales learns from every handoff.`;
  const form = linkText(o.formUrl, 'Or answer in the browser');
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', verbatim: true, text } },
    {
      type: 'actions',
      block_id: 'baton_feedback',
      elements: [{ type: 'button', action_id: FEEDBACK_OPEN_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Answer' }, value: o.handoffId }],
    },
  ];
  if (form) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', verbatim: true, text: form }] });
  return { text: form ? `${text} ${form}` : text, blocks };
}

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: toOneLine(text).slice(0, max) || ' ' });
export const blockIdFor = (q: FeedbackQuestion) => `q_${q.id}`;

export function buildFeedbackModal(o: { handoffId: string; title: string; questions: FeedbackQuestion[] }): Record<string, unknown> {
  const blocks = o.questions.map((q) => {
    const options = questionOptions(q).map(([value, label]) => ({ text: plain(label, 75), value }));
    const element =
      q.type === 'text'
        ? { type: 'plain_text_input', action_id: 'answer', multiline: true, max_length: 3000 }
        : q.type === 'choice' || q.type === 'rating'
          ? { type: 'radio_buttons', action_id: 'answer', options }
          : { type: 'static_select', action_id: 'answer', placeholder: plain('Pick a section', 150), options };
    return { type: 'input', block_id: blockIdFor(q), optional: !q.required, label: plain(q.text, 2000), element };
  });
  return {
    type: 'modal',
    callback_id: FEEDBACK_VIEW_CALLBACK_ID,
    private_metadata: o.handoffId,
    title: plain(MODAL_TITLE, 24),
    submit: plain('Send', 24),
    close: plain('Cancel', 24),
    blocks: [{ type: 'context', elements: [{ type: 'plain_text', text: toOneLine(o.title).slice(0, 2000) || ' ' }] }, ...blocks],
  };
}

/** view.state.values → raw answers by question id (checkAnswers validates them). */
export function readModalAnswers(questions: FeedbackQuestion[], values: unknown): Record<string, string | null> {
  const raw: Record<string, string | null> = {};
  const state = typeof values === 'object' && values !== null ? (values as Record<string, Record<string, unknown>>) : {};
  for (const q of questions) {
    const el = state[blockIdFor(q)]?.answer as { value?: unknown; selected_option?: { value?: unknown } | null } | undefined;
    const v = el?.selected_option?.value ?? el?.value;
    raw[q.id] = typeof v === 'string' ? v : null;
  }
  return raw;
}

/** The answers for the rep (mrkdwn, escaped). */
export function buildRepSummary(o: { title: string; from: string; questions: FeedbackQuestion[]; answers: FeedbackAnswers; handoffUrl: string }): string {
  const lines = answerLines(o.questions, o.answers).map((l) => `• *${escapeMrkdwn(toOneLine(l.question))}* ${escapeMrkdwn(l.answer)}`);
  const link = linkText(o.handoffUrl, 'the handoff');
  return [`Delivery feedback on *${escapeMrkdwn(toOneLine(o.title))}* from ${escapeMrkdwn(toOneLine(o.from))}:`, ...lines, ...(link ? [`See ${link}.`] : [])].join('\n');
}

/** The note on the deal, plain text (the CRM connector formats and escapes it). */
export function buildFeedbackNote(o: { title: string; from: string; questions: FeedbackQuestion[]; answers: FeedbackAnswers }): string {
  const lines = answerLines(o.questions, o.answers).map((l) => `- ${l.question} ${l.answer}`);
  return [`Baton: delivery feedback on ${toOneLine(o.title)} (from ${toOneLine(o.from)})`, ...lines].join('\n');
}
