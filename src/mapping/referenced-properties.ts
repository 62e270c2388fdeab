// The CRM properties the loaded mappings read, so the CRM connector fetches exactly those (HubSpot
// returns only the properties asked for). Every live read of a deal asks for this one list: routing,
// escalation checks and document refresh (jobs/read-deal.ts), reconciliation (through routing) and the
// admin preview — a read that asks for less sees custom properties as empty.
import type { DealReadRequest } from '../handoff/ports.js';
import { FIELD_PATH_PATTERN, type Mapping } from './schema.js';
import { templateVariables } from './template.js';
import { fieldPathsOf, templatesOf } from './templates-of.js';

/** Always read: routing and write-back need them whatever the mappings say. */
export const BASE_DEAL_PROPERTIES = ['dealname', 'dealstage', 'pipeline', 'amount', 'closedate', 'hubspot_owner_id'];
const BASE_COMPANY_PROPERTIES = ['name', 'domain'];
const BASE_CONTACT_PROPERTIES = ['email', 'firstname', 'lastname'];
/** Keys the context adds itself; they are not CRM properties. */
const SYNTHETIC = new Set(['id', 'url']);

export function referencedProperties(mappings: Mapping[]): { deal: string[]; company: string[]; contact: string[] } {
  const found = {
    deal: new Set(BASE_DEAL_PROPERTIES),
    company: new Set(BASE_COMPANY_PROPERTIES),
    contact: new Set(BASE_CONTACT_PROPERTIES),
  };
  const add = (root: string | undefined, prop: string | undefined) => {
    if (prop === undefined || SYNTHETIC.has(prop) || !/^[A-Za-z0-9_]+$/.test(prop)) return;
    if (root === 'deal' || root === 'company' || root === 'contact') found[root].add(prop);
  };
  for (const m of mappings) {
    for (const { field } of fieldPathsOf(m)) {
      if (!FIELD_PATH_PATTERN.test(field)) continue;
      const [root, prop] = field.split('.', 2);
      add(root, prop);
    }
    for (const { template } of templatesOf(m)) {
      for (const [root, prop] of templateVariables(template)) add(root, prop);
    }
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { deal: sorted(found.deal), company: sorted(found.company), contact: sorted(found.contact) };
}

/** Keys of a line item's context that are not CRM properties (context.ts lineItemContext). */
const LINE_ITEM_SYNTHETIC = new Set(['id', 'name', 'sku', 'quantity', 'unit_price', 'amount', 'billing_frequency', 'term', 'product']);

/**
 * Whether the mappings use what was sold (line-item groups, `line_items` or `item` in a template), and which extra
 * line item / product properties they read; null when none does (line items are then not read at all).
 */
export function referencedLineItems(mappings: Mapping[]): { properties: string[]; productProperties: string[] } | null {
  let used = false;
  const properties = new Set<string>();
  const productProperties = new Set<string>();
  const plain = (s: string | undefined): s is string => s !== undefined && /^[A-Za-z0-9_]+$/.test(s);
  for (const m of mappings) {
    if (m.work.groups.length > 0 || m.trigger.sold) used = true;
    for (const name of Object.keys(m.trigger.sold?.product ?? {})) productProperties.add(name);
    for (const g of m.work.groups) for (const name of Object.keys(g.where.product ?? {})) productProperties.add(name);
    for (const { template } of templatesOf(m)) {
      for (const [root, prop, sub] of templateVariables(template)) {
        if (root !== 'item' && root !== 'line_items') continue;
        used = true;
        // `item.x` / `line_items[0].x`: a line item property; `item.product.x`: a product property.
        const [p, q] = root === 'line_items' && prop !== undefined && /^\d+$/.test(prop) ? [sub, undefined] : [prop, sub];
        if (p === 'product' && plain(q)) productProperties.add(q);
        else if (plain(p) && !LINE_ITEM_SYNTHETIC.has(p)) properties.add(p);
      }
    }
  }
  return used ? { properties: [...properties].sort(), productProperties: [...productProperties].sort() } : null;
}

/** What to ask the CRM for when reading a deal that any of these mappings may handle (DESIGN invariant 9). */
export function dealReadRequest(mappings: Mapping[]): DealReadRequest {
  const want = referencedProperties(mappings);
  const lineItems = referencedLineItems(mappings);
  return { dealProperties: want.deal, companyProperties: want.company, contactProperties: want.contact, ...(lineItems ? { lineItems } : {}) };
}
