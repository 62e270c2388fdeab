// The handoff document as Slack Block Kit. Client text is escaped with escapeMrkdwn inside mrkdwn text
// objects, and those are sent with verbatim: true so Slack does not auto-link channel names or parse
// mentions out of plain text either.
import { escapeMrkdwn, sanitizeText, toOneLine } from './escape.js';
import { fieldDisplay, missingLine, missingSummary, sectionsInOrder } from './render-markdown.js';
import type { DocumentField, HandoffDocument } from './types.js';

/** Block Kit limits (docs.slack.dev: blocks per message, section text, header text). */
export const SLACK_MAX_BLOCKS = 50;
export const SLACK_SECTION_TEXT_MAX = 3000;
export const SLACK_HEADER_TEXT_MAX = 150;
/** The notification fallback only needs the gist; Slack itself cuts `text` at 40,000. */
export const SLACK_FALLBACK_TEXT_MAX = 500;
export const SLACK_TRUNCATION_NOTE = '… (truncated, see the dashboard for the full document)';

type TextObject = { type: 'mrkdwn'; text: string; verbatim: true } | { type: 'plain_text'; text: string };
type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] };

const ELLIPSIS = '…';

/** Cut to `max` UTF-16 units with "…", never inside a surrogate pair or an &amp;/&lt;/&gt; entity. */
export function truncateForSlack(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = max - ELLIPSIS.length;
  const code = value.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = value.lastIndexOf('&', cut - 1);
  if (amp !== -1 && cut - amp < 5 && !value.slice(amp, cut).includes(';')) cut = amp;
  return value.slice(0, cut) + ELLIPSIS;
}

const mrkdwn = (value: string): TextObject => ({ type: 'mrkdwn', text: value, verbatim: true });
const section = (value: string): Block => ({ type: 'section', text: mrkdwn(truncateForSlack(value, SLACK_SECTION_TEXT_MAX)) });

function fieldLine(field: DocumentField): string {
  const label = `*${escapeMrkdwn(toOneLine(field.label))}:*`;
  const shown = fieldDisplay(field);
  if (shown.kind === 'missing') return `${label} *Missing*`;
  if (shown.kind === 'empty') return `${label} _Not provided_`;
  // Blank-line runs collapse: Slack shows \n as a line break, and long gaps only waste the 3,000 chars.
  const value = sanitizeText(shown.text).replace(/\n\s*\n\s*/g, '\n\n').trim();
  return `${label} ${escapeMrkdwn(value)}`;
}

/** Pack lines into section texts of at most SLACK_SECTION_TEXT_MAX, cutting only a line that alone is too long. */
function packLines(lines: string[]): string[] {
  const texts: string[] = [];
  let current = '';
  for (const line of lines) {
    const joined = current === '' ? line : `${current}\n${line}`;
    if (joined.length <= SLACK_SECTION_TEXT_MAX) {
      current = joined;
      continue;
    }
    if (current !== '') texts.push(current);
    current = truncateForSlack(line, SLACK_SECTION_TEXT_MAX);
  }
  if (current !== '') texts.push(current);
  return texts;
}

/**
 * Header (the title), a warning section listing what is missing when incomplete, then each section's
 * fields in mrkdwn sections. At most SLACK_MAX_BLOCKS blocks (the last one says so when it had to cut);
 * `text` is the notification fallback and is always set.
 */
export function renderDocumentSlackBlocks(doc: HandoffDocument): { text: string; blocks: unknown[] } {
  const title = toOneLine(doc.title) || 'Handoff';
  const incomplete = !doc.complete || doc.missing.length > 0;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateForSlack(title, SLACK_HEADER_TEXT_MAX) } },
  ];
  if (incomplete) {
    const lines = [`:warning: *${missingSummary(doc)}*`, ...doc.missing.map((m) => `• ${escapeMrkdwn(missingLine(m))}`)];
    blocks.push(section(lines.join('\n')));
  }
  const body: Block[] = [];
  for (const s of sectionsInOrder(doc)) {
    const lines = [`*${escapeMrkdwn(toOneLine(s.title) || s.id)}*`];
    if (s.fields.length === 0) lines.push('_No fields in this section._');
    for (const field of s.fields) lines.push(fieldLine(field));
    for (const chunk of packLines(lines)) body.push(section(chunk));
  }
  const room = SLACK_MAX_BLOCKS - blocks.length;
  if (body.length <= room) blocks.push(...body);
  else blocks.push(...body.slice(0, room - 1), { type: 'context', elements: [mrkdwn(SLACK_TRUNCATION_NOTE)] });

  const suffix = incomplete ? ` (${missingSummary(doc).toLowerCase()})` : '';
  const fallbackTitle = truncateForSlack(escapeMrkdwn(title), SLACK_FALLBACK_TEXT_MAX - suffix.length - 'Handoff: '.length);
  return { text: `Handoff: ${fallbackTitle}${suffix}`, blocks };
}
