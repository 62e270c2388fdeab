// The handoff document as CommonMark: the dashboard, `baton preview` and plain-text tools show this.
import { escapeMarkdown, toOneLine } from './escape.js';
import { SECTION_IDS, SECTION_TITLES } from './types.js';
import type { DocumentField, DocumentSection, HandoffDocument, MissingField } from './types.js';

/** Sections in the fixed order delivery expects, whatever order the document lists them in. */
export function sectionsInOrder(doc: HandoffDocument): DocumentSection[] {
  const rank = (s: DocumentSection) => {
    const i = SECTION_IDS.indexOf(s.id);
    return i === -1 ? SECTION_IDS.length : i;
  };
  return [...doc.sections].sort((a, b) => rank(a) - rank(b));
}

/** What renderers show for a field: its text, or why there is none. */
export type FieldDisplay = { kind: 'value'; text: string } | { kind: 'missing' } | { kind: 'empty' };

export function fieldDisplay(field: DocumentField): FieldDisplay {
  if (field.missing) return { kind: 'missing' };
  if (field.value === null || field.value.trim() === '') return { kind: 'empty' };
  return { kind: 'value', text: field.value };
}

export function missingSummary(doc: HandoffDocument): string {
  const n = doc.missing.length;
  return n === 0 ? 'Incomplete' : `Incomplete: ${n} required field${n === 1 ? '' : 's'} missing`;
}

export function missingLine(m: MissingField): string {
  return `${SECTION_TITLES[m.section] ?? m.section}: ${toOneLine(m.label)}`;
}

function fieldMarkdown(field: DocumentField): string {
  const label = `**${escapeMarkdown(toOneLine(field.label))}:**`;
  const shown = fieldDisplay(field);
  if (shown.kind === 'missing') return `${label} **Missing**`;
  if (shown.kind === 'empty') return `${label} _Not provided_`;
  const value = escapeMarkdown(shown.text);
  return value === '' ? `${label} _Not provided_` : `${label} ${value}`;
}

/** Title, the missing list at the top when incomplete, then each section with its fields. */
export function renderDocumentMarkdown(doc: HandoffDocument): string {
  const blocks: string[] = [`# ${escapeMarkdown(toOneLine(doc.title)) || 'Handoff'}`];
  if (!doc.complete || doc.missing.length > 0) {
    blocks.push(`> **${missingSummary(doc)}**`);
    if (doc.missing.length > 0) {
      blocks.push(doc.missing.map((m) => `- ${escapeMarkdown(missingLine(m))}`).join('\n'));
    }
  }
  for (const section of sectionsInOrder(doc)) {
    blocks.push(`## ${escapeMarkdown(toOneLine(section.title))}`);
    if (section.fields.length === 0) blocks.push('_No fields in this section._');
    for (const field of section.fields) blocks.push(fieldMarkdown(field));
  }
  return `${blocks.join('\n\n')}\n`;
}
