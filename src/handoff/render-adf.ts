// The handoff document as Atlassian Document Format, for the Jira epic's description (v3 requires ADF).
// Client text only ever lands in `text` nodes, so nothing it contains can become structure or markup.
import { sanitizeText, toOneLine } from './escape.js';
import { fieldDisplay, missingLine, missingSummary, sectionsInOrder } from './render-markdown.js';
import type { DocumentField, HandoffDocument } from './types.js';

export type AdfNode = {
  type: string;
  /** Only on the root: { type: 'doc', version: 1 }. */
  version?: number;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
};

/** Jira Cloud rejects a description longer than this ("exceeds the allowed limit of 32,767 characters"). */
export const JIRA_DESCRIPTION_MAX_CHARS = 32_767;
export const ADF_TRUNCATION_NOTE = '… (truncated, see the dashboard for the full document)';

const strong = [{ type: 'strong' }];
const em = [{ type: 'em' }];

/** A text node, or nothing: Jira rejects empty text nodes. */
function text(value: string, marks?: AdfNode['marks']): AdfNode[] {
  if (value === '') return [];
  return marks ? [{ type: 'text', text: value, marks }] : [{ type: 'text', text: value }];
}

const paragraph = (content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const heading = (level: number, value: string): AdfNode => ({ type: 'heading', attrs: { level }, content: text(value) });

/** Multi-line text: blank lines split paragraphs, single newlines become hardBreak nodes. */
function valueParagraphs(value: string): AdfNode[][] {
  return sanitizeText(value)
    .split(/\n[ \t]*\n\s*/)
    .map((para) => {
      const inline: AdfNode[] = [];
      for (const line of para.split('\n')) {
        if (line === '') continue;
        if (inline.length > 0) inline.push({ type: 'hardBreak' });
        inline.push(...text(line));
      }
      return inline;
    })
    .filter((inline) => inline.length > 0);
}

function fieldBlocks(field: DocumentField): AdfNode[] {
  const label = text(`${toOneLine(field.label)}: `, strong);
  const shown = fieldDisplay(field);
  if (shown.kind === 'missing') return [paragraph([...label, ...text('Missing', strong)])];
  const paras = shown.kind === 'value' ? valueParagraphs(shown.text) : [];
  const [first = text('Not provided', em), ...rest] = paras;
  return [paragraph([...label, ...first]), ...rest.map(paragraph)];
}

function missingPanel(doc: HandoffDocument): AdfNode {
  const content: AdfNode[] = [paragraph(text(missingSummary(doc), strong))];
  if (doc.missing.length > 0) {
    content.push({
      type: 'bulletList',
      content: doc.missing.map((m) => ({ type: 'listItem', content: [paragraph(text(missingLine(m)))] })),
    });
  }
  return { type: 'panel', attrs: { panelType: 'warning' }, content };
}

const size = (node: AdfNode): number => JSON.stringify(node).length;

/** Longest prefix of `value` whose JSON string stays within `budget`, never splitting a surrogate pair. */
function fitText(value: string, budget: number): string {
  let lo = 0;
  let hi = value.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (JSON.stringify(value.slice(0, mid)).length <= budget) lo = mid;
    else hi = mid - 1;
  }
  const code = value.charCodeAt(lo - 1);
  if (lo > 0 && code >= 0xd800 && code <= 0xdbff) lo -= 1;
  return value.slice(0, lo);
}

/**
 * The node cut down to at most `budget` serialised characters (children kept in order until the budget
 * runs out, the last one cut), or null when nothing meaningful fits.
 */
function truncateNode(node: AdfNode, budget: number): AdfNode | null {
  if (size(node) <= budget) return node;
  if (node.type === 'text' && node.text !== undefined) {
    const overhead = size({ ...node, text: '' }) - 2;
    const kept = fitText(node.text, budget - overhead);
    return kept === '' ? null : { ...node, text: kept };
  }
  if (!node.content) return null;
  const shell: AdfNode = { ...node, content: [] };
  let used = size(shell);
  if (used > budget) return null;
  const kept: AdfNode[] = [];
  for (const child of node.content) {
    const comma = kept.length > 0 ? 1 : 0;
    const childSize = size(child);
    if (used + comma + childSize <= budget) {
      kept.push(child);
      used += comma + childSize;
      continue;
    }
    const cut = truncateNode(child, budget - used - comma);
    if (cut) kept.push(cut);
    break;
  }
  if (kept.length === 0) return null;
  return { ...node, content: kept };
}

/** Keep the document within Jira's description limit, with a visible note where it was cut. */
function fitToJira(doc: AdfNode): AdfNode {
  if (size(doc) <= JIRA_DESCRIPTION_MAX_CHARS) return doc;
  const note = paragraph(text(ADF_TRUNCATION_NOTE, em));
  const budget = JIRA_DESCRIPTION_MAX_CHARS - size(note) - 1;
  const cut = truncateNode(doc, budget) ?? { type: 'doc', version: 1, content: [] };
  return { ...cut, content: [...(cut.content ?? []), note] };
}

/**
 * Title heading, a warning panel listing what is missing (when incomplete), then one heading per section
 * and a paragraph per field ("Label: " in bold, the value as text; "Missing" in bold when a required
 * field is absent). Serialised size never exceeds JIRA_DESCRIPTION_MAX_CHARS.
 */
export function renderDocumentAdf(doc: HandoffDocument): AdfNode {
  const content: AdfNode[] = [heading(1, toOneLine(doc.title) || 'Handoff')];
  if (!doc.complete || doc.missing.length > 0) content.push(missingPanel(doc));
  for (const section of sectionsInOrder(doc)) {
    content.push(heading(2, toOneLine(section.title) || section.id));
    if (section.fields.length === 0) content.push(paragraph(text('No fields in this section.', em)));
    for (const field of section.fields) content.push(...fieldBlocks(field));
  }
  return fitToJira({ type: 'doc', version: 1, content });
}
