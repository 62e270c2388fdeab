// Escaping untrusted (client- and rep-written) text for each target. Invariant 6: deal text stays text.

/**
 * Slack mrkdwn: Slack's documented rule is to escape only & < > (which is what stops `<!channel>`,
 * `<@U123>` and `<https://x|label>` from being read as control sequences). Encoding anything more
 * (quotes, apostrophes) would show up literally as `&#39;` in Slack.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** HTML: escapes for element text and quoted attribute values alike (pages, the feedback form, email bodies). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Characters removed from untrusted text before it goes anywhere: C0 controls other than tab and
 * newline (Jira's ADF validation rejects them and they are invisible anyway), DEL and C1 controls,
 * unpaired UTF-16 surrogates (not valid Unicode, so not valid UTF-8 JSON either) and the
 * noncharacters U+FFFE/U+FFFF. Bidi controls (U+202A–U+202E, U+2066–U+2069) and zero-width joiners
 * are kept: they are part of right-to-left text and emoji. Carriage returns are normalised to \n.
 */
const STRIPPED_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function sanitizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(STRIPPED_CHARS, '');
}

/** Collapse any whitespace (newlines included) to single spaces: for titles, labels, headings. */
export function toOneLine(text: string): string {
  return sanitizeText(text).replace(/\s+/g, ' ').trim();
}

// Special anywhere in a CommonMark (or GFM) line: code spans, emphasis, links/images, raw HTML and
// autolinks, entities, GFM strikethrough and table pipes. Backslash itself first.
const MARKDOWN_INLINE = /[\\`*_[\]<>&~|]/g;
// Special only at the start of a line: headings, block quotes, list bullets, setext underlines,
// GFM table delimiter rows (":-") and ordered-list markers ("1." / "1)").
const MARKDOWN_LINE_START = /^(?:([#>+=:-])|(\d{1,9})([.)]))/;

// GFM turns bare URLs into links and does not undo backslash escapes inside them, so an escaped
// "<https://x|y>" would show its backslashes. Breaking "://" and "www." keeps URLs as plain text.
const GFM_AUTOLINK = /:\/\/|(www)\./gi;

function escapeMarkdownLine(line: string): string {
  // Leading indentation would turn a line into an indented code block; rendered Markdown drops it anyway.
  const escaped = line
    .trimStart()
    .replace(MARKDOWN_INLINE, '\\$&')
    .replace(GFM_AUTOLINK, (_m, www: string | undefined) => (www ? `${www}\\.` : '\\://'));
  return escaped.replace(MARKDOWN_LINE_START, (_m, mark: string | undefined, digits: string | undefined, delim: string | undefined) =>
    mark !== undefined ? `\\${mark}` : `${digits ?? ''}\\${delim ?? ''}`,
  );
}

/**
 * CommonMark-safe literal text: renders as the same characters, never as markup. Line breaks become
 * hard breaks ("\" at line end), blank lines one paragraph break; leading indentation and control
 * characters (see sanitizeText) are dropped. Give it single-line text where a paragraph break would
 * not fit (list items, table cells), e.g. through toOneLine.
 */
export function escapeMarkdown(text: string): string {
  const paragraphs = sanitizeText(text)
    .split(/\n[ \t]*\n\s*/)
    .map((para) =>
      para
        .split('\n')
        .map(escapeMarkdownLine)
        .filter((line) => line.trim() !== '')
        .join('\\\n'),
    )
    .filter((para) => para !== '');
  return paragraphs.join('\n\n');
}
