// The handoff document: the mapping's fields read or rendered from the deal, in the fixed section
// order, complete only when every required field has a value.
import { SECTION_IDS, SECTION_TITLES, type DocumentSection, type HandoffDocument, type MissingField } from '../handoff/types.js';
import { toOneLine } from '../handoff/escape.js';
import { readFieldPath } from './context.js';
import { fieldKey } from './field-key.js';
import { soldItemsField } from './sold-items.js';
import { renderAt, type RenderContext } from './render-at.js';
import type { Mapping } from './schema.js';

function blankToNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/** A `deal.<property>` field as the CRM shows it (the option label of an enumeration value), when known. */
function labelOf(labels: Record<string, string> | undefined, path: string): string | null {
  if (!labels || !path.startsWith('deal.')) return null;
  const name = path.slice('deal.'.length);
  return Object.hasOwn(labels, name) ? blankToNull(labels[name] ?? '') : null;
}

/** `labels`: the deal's enumeration labels (CrmDeal.labels); `field:` items print them instead of stored values. */
export function buildDocument(mapping: Mapping, ctx: RenderContext, labels?: Record<string, string>): HandoffDocument {
  const sections: DocumentSection[] = [];
  const missing: MissingField[] = [];
  for (const id of SECTION_IDS) {
    const items = mapping.document.sections[id];
    if (!items) continue;
    const fields = items.map((item, i) => {
      const value =
        item.field !== undefined
          ? (labelOf(labels, item.field) ?? readFieldPath(ctx, item.field))
          : blankToNull(renderAt(mapping, ['document', 'sections', id, i, 'value'], item.value ?? '', ctx));
      const key = fieldKey(item);
      if (value === null && item.required) missing.push({ section: id, key, label: item.label });
      return { key, label: item.label, value, required: item.required, missing: value === null };
    });
    sections.push({ id, title: SECTION_TITLES[id], fields });
  }
  // What was sold goes to the scope section whatever the mapping lists there (the section is added when absent).
  const sold = soldItemsField(ctx.line_items ?? []);
  if (sold) {
    const scope = sections.find((s) => s.id === 'scope');
    if (scope) scope.fields.push(sold);
    else sections.splice(SECTION_IDS.filter((s) => s !== 'scope' && sections.some((x) => x.id === s) && SECTION_IDS.indexOf(s) < SECTION_IDS.indexOf('scope')).length, 0, { id: 'scope', title: SECTION_TITLES.scope, fields: [sold] });
  }
  const dealName = typeof ctx.deal.dealname === 'string' ? ctx.deal.dealname : '';
  const title = toOneLine(renderAt(mapping, ['document', 'title'], mapping.document.title, ctx)) || fallbackTitle(dealName, String(ctx.deal.id ?? ''));
  return { title, sections, complete: missing.length === 0, missing };
}

/** The title when the mapping's renders empty (or cannot render at all). */
export function fallbackTitle(dealName: string | null | undefined, dealId: string): string {
  return toOneLine(`Handoff: ${dealName || `deal ${dealId}`}`);
}
