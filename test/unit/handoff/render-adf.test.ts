import { describe, expect, it } from 'vitest';
import { ADF_TRUNCATION_NOTE, JIRA_DESCRIPTION_MAX_CHARS, renderDocumentAdf } from '../../../src/handoff/render-adf.js';
import type { AdfNode } from '../../../src/handoff/render-adf.js';
import { SECTION_IDS, SECTION_TITLES } from '../../../src/handoff/types.js';
import { EMOJI, HOSTILE, HUNDRED_KB, RTL, hostileDocument, makeDocument } from './make-document.js';

function walk(node: AdfNode, visit: (n: AdfNode) => void): void {
  visit(node);
  for (const child of node.content ?? []) walk(child, visit);
}

function allNodes(node: AdfNode): AdfNode[] {
  const nodes: AdfNode[] = [];
  walk(node, (n) => nodes.push(n));
  return nodes;
}

/** The visible text of a block: text nodes joined, hardBreaks as newlines. */
function plain(node: AdfNode): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  return (node.content ?? []).map(plain).join('');
}

const ALLOWED_TYPES = new Set(['doc', 'heading', 'paragraph', 'text', 'hardBreak', 'panel', 'bulletList', 'listItem']);
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

function expectValidAdf(adf: AdfNode): void {
  expect(adf.type).toBe('doc');
  expect(adf.version).toBe(1);
  for (const node of allNodes(adf)) {
    expect(ALLOWED_TYPES.has(node.type), node.type).toBe(true);
    if (node.type === 'text') {
      expect(typeof node.text).toBe('string');
      expect(node.text!.length).toBeGreaterThan(0); // Jira rejects empty text nodes
      expect(node.text).not.toMatch(CONTROL);
      expect(node.text).not.toContain('\n');
      expect(node.content).toBeUndefined();
    } else {
      expect(node.text).toBeUndefined(); // client text never outside text nodes
    }
    for (const mark of node.marks ?? []) expect(['strong', 'em']).toContain(mark.type);
    if (['heading', 'panel', 'bulletList', 'listItem'].includes(node.type)) expect(node.content?.length).toBeGreaterThan(0);
  }
}

describe('renderDocumentAdf', () => {
  it('renders a doc with the title heading and one level-2 heading per section in the fixed order', () => {
    const adf = renderDocumentAdf(makeDocument({ title: 'Handoff: ACME', sectionOrder: [...SECTION_IDS].reverse() }));
    expectValidAdf(adf);
    const headings = (adf.content ?? []).filter((n) => n.type === 'heading');
    expect(headings.map((h) => [h.attrs?.level, plain(h)])).toEqual([
      [1, 'Handoff: ACME'],
      ...SECTION_IDS.map((id) => [2, SECTION_TITLES[id]]),
    ]);
  });

  it('renders a field as a paragraph with a bold label and the value as plain text', () => {
    const adf = renderDocumentAdf(makeDocument({ fields: { contact: [{ label: 'Name', value: 'Jane Doe' }, { label: 'Phone', value: null }] } }));
    const paragraphs = (adf.content ?? []).filter((n) => n.type === 'paragraph');
    expect(paragraphs[0]).toEqual({
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Name: ', marks: [{ type: 'strong' }] },
        { type: 'text', text: 'Jane Doe' },
      ],
    });
    expect(paragraphs[1]!.content![1]).toEqual({ type: 'text', text: 'Not provided', marks: [{ type: 'em' }] });
  });

  it('turns newlines into hardBreaks and blank lines into paragraphs, never empty text nodes', () => {
    const adf = renderDocumentAdf(makeDocument({ fields: { scope: [{ label: 'Scope', value: 'line 1\r\nline 2\n\n\n\nsecond para\n' }] } }));
    expectValidAdf(adf);
    const start = adf.content!.findIndex((n) => plain(n).startsWith('Scope: '));
    expect(adf.content![start]).toEqual({
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Scope: ', marks: [{ type: 'strong' }] },
        { type: 'text', text: 'line 1' },
        { type: 'hardBreak' },
        { type: 'text', text: 'line 2' },
      ],
    });
    expect(adf.content![start + 1]).toEqual({ type: 'paragraph', content: [{ type: 'text', text: 'second para' }] });
  });

  it('strips control characters and shows "Not provided" when nothing printable is left', () => {
    const adf = renderDocumentAdf(
      makeDocument({ fields: { risks: [{ label: 'Risk', value: 'a\u0000b\u0007c\u001b' }, { label: 'Ctl', value: '\u0000\u0001' }] } }),
    );
    expectValidAdf(adf);
    const texts = (adf.content ?? []).map(plain);
    expect(texts).toContain('Risk: abc');
    expect(texts).toContain('Ctl: Not provided');
  });

  it('puts a warning panel at the top listing what is missing, and marks each missing field in bold', () => {
    const doc = makeDocument({
      fields: { timeline: [{ label: 'Kickoff target', value: null, required: true }], billing: [{ label: 'Terms', value: null, required: true }] },
    });
    const adf = renderDocumentAdf(doc);
    expectValidAdf(adf);
    const panel = adf.content![1]!;
    expect(panel.type).toBe('panel');
    expect(panel.attrs).toEqual({ panelType: 'warning' });
    expect(panel.content![0]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'Incomplete: 2 required fields missing', marks: [{ type: 'strong' }] }],
    });
    expect(panel.content![1]!.content!.map(plain)).toEqual([`${SECTION_TITLES.timeline}: Kickoff target`, `${SECTION_TITLES.billing}: Terms`]);
    const kickoff = adf.content!.find((n) => plain(n).startsWith('Kickoff target: '));
    expect(kickoff!.content![1]).toEqual({ type: 'text', text: 'Missing', marks: [{ type: 'strong' }] });
  });

  it('has no panel when complete', () => {
    const adf = renderDocumentAdf(makeDocument());
    expect(allNodes(adf).some((n) => n.type === 'panel')).toBe(false);
  });

  it('keeps hostile text literal, only inside text nodes and never in attrs or marks', () => {
    const adf = renderDocumentAdf(hostileDocument());
    expectValidAdf(adf);
    const texts = allNodes(adf).filter((n) => n.type === 'text').map((n) => n.text!);
    for (const value of Object.values(HOSTILE)) {
      for (const line of value.split('\n')) expect(texts, line).toContain(line);
    }
    const structureOnly = JSON.stringify(adf, (key, v: unknown) => (key === 'text' ? undefined : v));
    for (const needle of ['<!channel>', '<!here', '<@U123>', '<script>', 'evil', 'bold', 'שלום']) expect(structureOnly).not.toContain(needle);
    expect(plain(adf.content![0]!)).toBe('Handoff: ping <!channel> now <script>alert(1)</script>');
  });

  it('keeps emoji and right-to-left text intact', () => {
    const adf = renderDocumentAdf(makeDocument({ fields: { contact: [{ label: 'Intl', value: `${EMOJI}\n${RTL}` }] } }));
    const para = adf.content!.find((n) => plain(n).startsWith('Intl: '))!;
    expect(plain(para)).toBe(`Intl: ${EMOJI}\n${RTL}`);
  });

  it('does not truncate a document that fits', () => {
    const value = 'z'.repeat(20_000);
    const adf = renderDocumentAdf(makeDocument({ fields: { scope: [{ label: 'Big', value }] } }));
    expect(JSON.stringify(adf).length).toBeLessThanOrEqual(JIRA_DESCRIPTION_MAX_CHARS);
    expect(allNodes(adf).some((n) => n.text === value)).toBe(true);
    expect(JSON.stringify(adf)).not.toContain('truncated');
  });

  it('truncates a 100 KB field to fit Jira, keeps what comes before it, and says so at the end', () => {
    const doc = makeDocument({ fields: { scope: [{ label: 'Before', value: 'kept' }, { label: 'Big', value: HUNDRED_KB }, { label: 'After', value: 'dropped' }] } });
    const adf = renderDocumentAdf(doc);
    expectValidAdf(adf);
    const json = JSON.stringify(adf);
    expect(json.length).toBeLessThanOrEqual(JIRA_DESCRIPTION_MAX_CHARS);
    expect(json.length).toBeGreaterThan(JIRA_DESCRIPTION_MAX_CHARS - 200); // uses the room it has
    const blocks = adf.content!.map(plain);
    expect(blocks).toContain('Before: kept');
    expect(blocks.find((b) => b.startsWith('Big: xxx'))).toBeDefined();
    expect(blocks.some((b) => b.includes('dropped'))).toBe(false);
    expect(blocks.at(-1)).toBe(ADF_TRUNCATION_NOTE);
    expect(adf.content![0]!.type).toBe('heading');
  });

  it('never splits an emoji when truncating', () => {
    const adf = renderDocumentAdf(makeDocument({ fields: { contact: [{ label: 'Emoji', value: '🚀'.repeat(40_000) }] } }));
    expectValidAdf(adf);
    expect(JSON.stringify(adf).length).toBeLessThanOrEqual(JIRA_DESCRIPTION_MAX_CHARS);
    for (const node of allNodes(adf)) {
      if (node.text !== undefined) expect(node.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it('budgets on serialised size, so characters JSON escapes cannot push it over', () => {
    const adf = renderDocumentAdf(makeDocument({ fields: { contact: [{ label: 'Quotes', value: '"\\'.repeat(30_000) }] } }));
    expect(JSON.stringify(adf).length).toBeLessThanOrEqual(JIRA_DESCRIPTION_MAX_CHARS);
    expect(plain(adf.content!.at(-1)!)).toBe(ADF_TRUNCATION_NOTE);
  });
});
