import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../../src/handoff/escape.js';
import { renderDocumentMarkdown } from '../../../src/handoff/render-markdown.js';
import { SECTION_IDS, SECTION_TITLES } from '../../../src/handoff/types.js';
import { EMOJI, HOSTILE, HUNDRED_KB, RTL, hostileDocument, makeDocument } from './make-document.js';

describe('renderDocumentMarkdown', () => {
  it('renders the title, then every section heading in the fixed order, whatever order the document has', () => {
    const doc = makeDocument({ title: 'Handoff: ACME', sectionOrder: [...SECTION_IDS].reverse() });
    const md = renderDocumentMarkdown(doc);
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual(['# Handoff: ACME', ...SECTION_IDS.map((id) => `## ${SECTION_TITLES[id]}`)]);
  });

  it('renders fields as bold label and value, and optional empty fields as not provided', () => {
    const md = renderDocumentMarkdown(
      makeDocument({ fields: { contact: [{ label: 'Name', value: 'Jane Doe' }, { label: 'Phone', value: null }, { label: 'Notes', value: '  ' }] } }),
    );
    expect(md).toContain('**Name:** Jane Doe');
    expect(md).toContain('**Phone:** _Not provided_');
    expect(md).toContain('**Notes:** _Not provided_');
  });

  it('marks missing required fields and lists them at the top when incomplete', () => {
    const doc = makeDocument({
      fields: {
        timeline: [{ label: 'Kickoff target', value: null, required: true }],
        billing: [{ label: 'Payment schedule', value: '', required: true }, { label: 'Terms', value: 'Net 30', required: true }],
      },
    });
    expect(doc.complete).toBe(false);
    const md = renderDocumentMarkdown(doc);
    expect(md).toContain('**Kickoff target:** **Missing**');
    expect(md).toContain('**Payment schedule:** **Missing**');
    expect(md).toContain('**Terms:** Net 30');
    const top = md.slice(0, md.indexOf('\n## '));
    expect(top).toContain('**Incomplete: 2 required fields missing**');
    expect(top).toContain(`- ${SECTION_TITLES.timeline}: Kickoff target`);
    expect(top).toContain(`- ${SECTION_TITLES.billing}: Payment schedule`);
  });

  it('has no missing list when complete', () => {
    const md = renderDocumentMarkdown(makeDocument());
    expect(md).not.toContain('Incomplete');
    expect(md).not.toContain('Missing');
  });

  it('keeps hostile text literal: escaped values, no extra headings, quotes, lists or HTML', () => {
    const md = renderDocumentMarkdown(hostileDocument());
    for (const value of Object.values(HOSTILE)) expect(md).toContain(escapeMarkdown(value));
    const lines = md.split('\n');
    // Only our own block markup starts a line: 1 title + 7 section headings, 1 quote (the summary), 1 missing bullet.
    expect(lines.filter((l) => /^\s*#/.test(l))).toHaveLength(8);
    expect(lines.filter((l) => /^\s*>/.test(l))).toEqual(['> **Incomplete: 1 required field missing**']);
    expect(lines.filter((l) => /^\s*([-+*]|\d+[.)])\s/.test(l))).toEqual([`- ${SECTION_TITLES.risks}: Risks \\<!here\\>`]);
    // Every < and > that is not our own quote marker is backslash-escaped.
    expect(md.replace(/\\[\s\S]/g, '').replace(/^> /gm, '')).not.toMatch(/[<>]/);
    expect(md).toContain('# Handoff: ping \\<!channel\\> now \\<script\\>alert(1)\\</script\\>');
  });

  it('keeps emoji, right-to-left text and a 100 KB value whole', () => {
    const md = renderDocumentMarkdown(makeDocument({ fields: { scope: [{ label: 'Big', value: HUNDRED_KB }, { label: 'Intl', value: `${EMOJI} ${RTL}` }] } }));
    expect(md).toContain(escapeMarkdown(HUNDRED_KB));
    expect(md).toContain(`**Intl:** ${EMOJI} ${RTL}`);
  });
});
