// Line items in mappings (issue 16, item 1): groups of tasks generated per matching line item with stable ids and
// dependencies inside and across groups, "What was sold" in the scope section, the read request, and validation
// errors that point at file:line:column.
import { describe, expect, it } from 'vitest';
import type { CrmLineItem } from '../../../src/handoff/ports.js';
import { buildHandoff } from '../../../src/mapping/build-handoff.js';
import { formatMappingError, parseMapping } from '../../../src/mapping/load-mappings.js';
import { dealReadRequest } from '../../../src/mapping/referenced-properties.js';
import { skuMatches } from '../../../src/mapping/line-item-groups.js';
import { matchTrigger } from '../../../src/mapping/trigger.js';
import { BASE_LINES, deal, mustParse, PIPELINES, withLine } from './helpers.js';

const GROUPS = [
  '  groups:', // 22
  '    - for_each: line_items', // 23
  '      where: { sku: "IMPL-*" }', // 24
  '      tasks:', // 25
  '        - { id: configure, summary: "Configure {{ item.name }}", after: [first], due: 3 business days }', // 26
  '        - { id: verify, summary: "Verify {{ item.name }} for {{ item.product.region }}", after: [configure], due: 1 business day }', // 27
  '    - for_each: line_items', // 28
  '      where: { product: { delivery_track: training } }', // 29
  '      tasks:', // 30
  '        - { id: training, summary: "Training × {{ item.quantity }}", after: [verify], due: 2 business days }', // 31
];
// go-live (a top-level task waiting for a group task) sits under `tasks:`, before the groups.
const TEXT = [...BASE_LINES, '    - { id: go-live, summary: Go live, after: [training, second], due: 1 business day }', ...GROUPS].join('\n') + '\n';

const item = (id: string, name: string, sku: string | null, product: Record<string, string> | null, extra: Partial<CrmLineItem> = {}): CrmLineItem => ({
  id, name, sku, productId: product ? `p-${id}` : null, quantity: 1, unitPrice: 100, amount: 100, billingFrequency: null, term: null,
  properties: {}, product: product ? { id: `p-${id}`, properties: product } : null, ...extra,
});
const sold = [
  item('11', 'Implementation EU', 'IMPL-EU', { region: 'EU', price: '100' }),
  item('12', 'Implementation US', 'IMPL-US', { region: 'US', price: '120' }),
  item('13', 'Training days', 'TRAIN-DAY', { delivery_track: 'training', price: '100' }, { quantity: 3, amount: 300 }),
];
const closedAt = new Date('2026-11-24T15:00:00Z');

describe('line-item groups', () => {
  const mapping = mustParse(TEXT);

  it('one copy of a group per matching line item, stable ids, dependencies inside and across groups', () => {
    const { work } = buildHandoff(mapping, deal({ props: { scope: 'x' }, lineItems: sold }), { closedAt });
    const tasks = Object.fromEntries(work.tasks.map((t) => [t.id, t]));
    expect(work.tasks.map((t) => t.id)).toEqual([
      'first', 'second', 'go-live',
      'configure--li-11', 'verify--li-11', 'configure--li-12', 'verify--li-12',
      'training--li-13',
    ]);
    expect(tasks['configure--li-11']!.summary).toBe('Configure Implementation EU');
    expect(tasks['verify--li-12']!.summary).toBe('Verify Implementation US for US');
    expect(tasks['verify--li-11']!.after).toEqual(['configure--li-11']); // a sibling: the same line item's task
    expect(tasks['training--li-13']!.after).toEqual(['verify--li-11', 'verify--li-12']); // another group: every copy
    expect(tasks['go-live']!.after).toEqual(['training--li-13', 'second']);
    expect(tasks['training--li-13']!.summary).toBe('Training × 3');
    // Due dates chain through the generated tasks: training waits for the later of the two verifications.
    expect(tasks['verify--li-11']!.dueDate).toBe(tasks['verify--li-12']!.dueDate);
    expect(tasks['training--li-13']!.dueDate! > tasks['verify--li-12']!.dueDate!).toBe(true);
    expect(tasks['go-live']!.dueDate! > tasks['training--li-13']!.dueDate!).toBe(true);
  });

  it('no matching line item: the group adds nothing and waiting on it waits for nothing', () => {
    const { work } = buildHandoff(mapping, deal({ props: { scope: 'x' }, lineItems: [sold[2]!] }), { closedAt });
    expect(work.tasks.map((t) => t.id)).toEqual(['first', 'second', 'go-live', 'training--li-13']);
    expect(work.tasks.find((t) => t.id === 'training--li-13')!.after).toEqual([]);
  });

  it('"What was sold" joins the scope section, with deviations from the product library', () => {
    const custom = item('14', 'Custom connector', null, null, { amount: 800, unitPrice: 800 });
    const recurring = item('15', 'Support', 'SUP', { price: '50' }, { billingFrequency: 'monthly', term: 'P12M', unitPrice: 40, amount: 40 });
    const { document } = buildHandoff(mapping, deal({ props: { scope: 'x' }, lineItems: [sold[2]!, custom, recurring] }), { closedAt });
    const field = document.sections.find((s) => s.id === 'scope')!.fields.find((f) => f.key === 'what_was_sold')!;
    expect(field.value!.split('\n')).toEqual([
      '3 × Training days (TRAIN-DAY) — 300',
      '1 × Custom connector — 800 [custom, not in the product library]',
      '1 × Support (SUP) — 40 [price 40, list 50; billed monthly for P12M]',
    ]);
  });

  it('the deal read asks for line items only when a mapping uses them, with the product properties `where` and templates name', () => {
    expect(dealReadRequest([mustParse(BASE_LINES.join('\n') + '\n')]).lineItems).toBeUndefined();
    expect(dealReadRequest([mapping]).lineItems).toEqual({ properties: [], productProperties: ['delivery_track', 'region'] });
  });

  it('SKU patterns: * is any run, the rest literal, case-insensitive', () => {
    expect(skuMatches('IMPL-*', 'impl-eu')).toBe(true);
    expect(skuMatches('IMPL-*', 'XIMPL-EU')).toBe(false);
    expect(skuMatches('A.B', 'AxB')).toBe(false);
    expect(skuMatches('*', null)).toBe(false);
  });
});

describe('line-item groups: validation points at the line', () => {
  const errorsOf = (lines: string[]) => parseMapping('m.yaml', lines.join('\n') + '\n', {}).errors.map(formatMappingError);
  const base = [...BASE_LINES, ...GROUPS];

  it('an unknown dependency, a duplicate id, a milestone per line item, `item` outside a group', () => {
    const lines = [...base];
    lines[25] = '        - { id: configure, summary: "Configure", after: [nope], milestone: kickoff }';
    lines[30] = '        - { id: first, summary: "T" }';
    lines[19] = '    - { id: first, summary: "{{ item.name }}", assignee: lead, due: 1 business day }';
    const errors = errorsOf(lines).join('\n');
    expect(errors).toContain("m.yaml:26:");
    expect(errors).toMatch(/m\.yaml:26:\d+: .*unknown task id 'nope'/);
    expect(errors).toMatch(/m\.yaml:26:\d+: .*tasks generated per line item cannot be milestone 'kickoff'/);
    expect(errors).toMatch(/m\.yaml:31:\d+: .*duplicate task id 'first' \(also work\.tasks\[0\]\)/);
    expect(errors).toMatch(/m\.yaml:20:\d+: .*unknown template variable 'item'/);
  });

  it('a cycle through a group', () => {
    const lines = [...base];
    lines[19] = '    - { id: first, summary: First, assignee: lead, after: [training], due: 1 business day }';
    expect(errorsOf(lines).join('\n')).toMatch(/dependency cycle: .*first/);
  });
});

describe('trigger.sold: the mapping chosen by what the deal contains', () => {
  const m = mustParse(withLine(4, '  stage: closedwon\n  sold: { product: { delivery_track: training } }'));

  it('hands off only deals with a matching line item, and says why not', () => {
    expect(matchTrigger(m, deal({ lineItems: sold }), PIPELINES).phase).toBe('closed');
    const no = matchTrigger(m, deal({ lineItems: [sold[0]!] }), PIPELINES);
    expect(no.phase).toBeNull();
    expect(no.reason).toBe('condition not met: no line item sold matches {"product":{"delivery_track":"training"}}');
    expect(matchTrigger(m, deal(), PIPELINES).phase).toBeNull(); // no line items read or sold
  });

  it('makes the deal read ask for line items and the product property it tests', () => {
    expect(dealReadRequest([m]).lineItems).toEqual({ properties: [], productProperties: ['delivery_track'] });
  });
});
