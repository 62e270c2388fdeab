// What a mapping's templates, fields and conditions can read about a deal: plain objects built from the
// CRM-neutral deal, so a missing company/contact/owner renders empty instead of throwing.
import type { CrmDeal, CrmLineItem, CrmPerson } from '../handoff/ports.js';

export interface TemplateContext {
  deal: Record<string, unknown>;
  company: Record<string, unknown>;
  contact: Record<string, unknown>;
  contacts: Record<string, unknown>[];
  owner: Record<string, unknown>;
  /** What was sold (empty when the CRM read none): each line item's properties plus the fields below. */
  line_items: Record<string, unknown>[];
}

/** The roots a field path or template may start with. */
export const CONTEXT_ROOTS = ['deal', 'company', 'contact', 'contacts', 'owner', 'line_items'] as const;

function personContext(p: CrmPerson): Record<string, unknown> {
  return { ...p.properties, email: p.email, firstname: p.firstName, lastname: p.lastName, id: p.id };
}

/** A line item as templates see it (`item` in a line-item group, an element of `line_items`). */
export function lineItemContext(l: CrmLineItem): Record<string, unknown> {
  return {
    ...l.properties,
    id: l.id,
    name: l.name,
    sku: l.sku,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    amount: l.amount,
    billing_frequency: l.billingFrequency,
    term: l.term,
    product: l.product ? { ...l.product.properties, id: l.product.id } : null,
  };
}

export function buildTemplateContext(deal: CrmDeal): TemplateContext {
  const contacts = deal.contacts.map(personContext);
  const owner = deal.owner;
  return {
    deal: { ...deal.properties, id: deal.id, url: deal.url },
    company: deal.company
      ? { ...deal.company.properties, name: deal.company.name, domain: deal.company.domain, id: deal.company.id }
      : {},
    contact: contacts[0] ?? {},
    contacts,
    owner: owner ? { email: owner.email, firstname: owner.firstName, lastname: owner.lastName, id: owner.id } : {},
    line_items: (deal.lineItems ?? []).map(lineItemContext),
  };
}

/**
 * The value at a field path such as `deal.baton_scope` or `owner.email`, as trimmed text; null when
 * absent or blank. Only own properties are read (a path like `deal.constructor` is simply absent).
 */
export function readFieldPath(ctx: TemplateContext, path: string): string | null {
  const dot = path.indexOf('.');
  if (dot < 0) return null;
  const root = path.slice(0, dot);
  const key = path.slice(dot + 1);
  if (root !== 'deal' && root !== 'company' && root !== 'contact' && root !== 'owner') return null;
  const bag = ctx[root];
  if (!Object.hasOwn(bag, key)) return null;
  const value = bag[key];
  if (value === null || value === undefined) return null;
  const text = (typeof value === 'string' ? value : String(value)).trim();
  return text === '' ? null : text;
}
