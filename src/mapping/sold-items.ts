// "What was sold" in the document's scope section: one line per line item, with what deviates from the product
// library (a custom line item, a price other than the list price, a recurring term), so delivery sees the deal as
// signed, not as the catalogue describes it. Pure; plain text (renderers escape it).
import type { DocumentField } from '../handoff/types.js';

export const SOLD_ITEMS_KEY = 'what_was_sold';

const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function soldItemLine(item: Record<string, unknown>): string {
  const quantity = num(item.quantity) ?? 1;
  const sku = typeof item.sku === 'string' && item.sku ? ` (${item.sku})` : '';
  const amount = num(item.amount);
  const notes: string[] = [];
  const product = item.product as Record<string, unknown> | null;
  if (!product) notes.push('custom, not in the product library');
  const price = num(item.unit_price);
  const listPrice = product ? num(product.price) : null;
  if (price !== null && listPrice !== null && price !== listPrice) notes.push(`price ${fmt(price)}, list ${fmt(listPrice)}`);
  if (typeof item.billing_frequency === 'string' && item.billing_frequency) {
    notes.push(`billed ${item.billing_frequency}${typeof item.term === 'string' && item.term ? ` for ${item.term}` : ''}`);
  }
  return `${fmt(quantity)} × ${String(item.name ?? '')}${sku}${amount !== null ? ` — ${fmt(amount)}` : ''}${notes.length ? ` [${notes.join('; ')}]` : ''}`;
}

/** The scope section's "What was sold" field; null when the deal has no line items (or none were read). */
export function soldItemsField(lineItems: readonly Record<string, unknown>[]): DocumentField | null {
  if (lineItems.length === 0) return null;
  return { key: SOLD_ITEMS_KEY, label: 'What was sold', value: lineItems.map(soldItemLine).join('\n'), required: false, missing: false };
}
