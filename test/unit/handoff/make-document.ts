// Test helper: HandoffDocument values with sensible defaults, and the hostile strings every renderer must keep literal.
import { SECTION_IDS, SECTION_TITLES } from '../../../src/handoff/types.js';
import type { DocumentField, DocumentSection, HandoffDocument, SectionId } from '../../../src/handoff/types.js';

export function makeField(overrides: Partial<DocumentField> = {}): DocumentField {
  const value = overrides.value === undefined ? 'Some value' : overrides.value;
  const required = overrides.required ?? false;
  return {
    key: 'field',
    label: 'Field',
    value,
    required,
    missing: overrides.missing ?? (required && (value === null || value.trim() === '')),
    ...overrides,
  };
}

/** A document with every section; `fields` overrides a section's fields; `missing` and `complete` are derived. */
export function makeDocument(opts: { title?: string; fields?: Partial<Record<SectionId, Partial<DocumentField>[]>>; sectionOrder?: SectionId[] } = {}): HandoffDocument {
  const sections: DocumentSection[] = (opts.sectionOrder ?? [...SECTION_IDS]).map((id) => ({
    id,
    title: SECTION_TITLES[id],
    fields: (opts.fields?.[id] ?? [{ key: `${id}_note`, label: `${id} note`, value: `About ${id}` }]).map((f, i) =>
      makeField({ key: `${id}_${i}`, label: `${id} field ${i}`, ...f }),
    ),
  }));
  const missing = sections.flatMap((s) => s.fields.filter((f) => f.missing).map((f) => ({ section: s.id, key: f.key, label: f.label })));
  return { title: opts.title ?? 'Handoff: ACME — Onboarding', sections, complete: missing.length === 0, missing };
}

export const RTL = 'שלום \u202e עולם';
export const EMOJI = '🚀 👩🏽‍💻 🇺🇸';
/** Strings a client or rep could put in a deal field, each of which must come out as literal text. */
export const HOSTILE: Record<string, string> = {
  channel: 'ping <!channel> now',
  here: 'legacy <!here|here> mention',
  user: 'hi <@U123> and <#C999> and <!subteam^S1>',
  link: 'please <https://evil.example|click here>',
  bold: '*bold* _italic_ ~strike~',
  code: '`code` and ```block```',
  script: '<script>alert(1)</script>',
  entity: 'Tom &amp; Jerry & co &lt;tag&gt;',
  markdownBlocks: '# heading\n> quote\n- bullet\n1. numbered\n    indented code\n---\n[link](http://x) ![img](http://y) <http://z>',
  table: '| a | b |\n|---|---|',
  backslash: 'C:\\path\\ and \\*not bold\\*',
  emoji: EMOJI,
  rtl: RTL,
};

export const HUNDRED_KB = 'x'.repeat(50_000) + '<!channel>' + 'y'.repeat(50_000);

/** One section per hostile string, so each renderer sees every string as a field value and as a label. */
export function hostileDocument(): HandoffDocument {
  const entries = Object.entries(HOSTILE);
  return makeDocument({
    title: `Handoff: ${HOSTILE.channel} ${HOSTILE.script}`,
    fields: {
      contact: entries.slice(0, 7).map(([key, value]) => ({ key, label: `Label ${value}`, value })),
      scope: entries.slice(7).map(([key, value]) => ({ key, label: `Label ${value}`, value })),
      risks: [{ key: 'missing_risks', label: 'Risks <!here>', value: null, required: true }],
    },
  });
}
