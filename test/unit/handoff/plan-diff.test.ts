// Amendments (issue 16, item 2), the pure part: the plan recomputed from an amended deal, diffed against the plan
// the work came from by stable task id, and the project lead's Slack message with Apply / Dismiss.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CrmLineItem } from '../../../src/handoff/ports.js';
import { diffPlans, isEmptyDiff } from '../../../src/handoff/plan-diff.js';
import { buildHandoff } from '../../../src/mapping/build-handoff.js';
import { buildAmendmentMessage, decodeAmendmentRef, AMEND_APPLY_ACTION_ID } from '../../../src/watch/amendment-message.js';
import { deal, mustParse } from '../mapping/helpers.js';

const mapping = mustParse(readFileSync('mappings/examples/line-items.yaml', 'utf8'));
const item = (id: string, name: string, sku: string, product: Record<string, string>, quantity = 1): CrmLineItem => ({
  id, name, sku, productId: `p${id}`, quantity, unitPrice: 100, amount: 100 * quantity, billingFrequency: null, term: null, properties: {},
  product: { id: `p${id}`, properties: product },
});
const eu = item('11', 'Implementation EU', 'IMPL-EU', { region: 'EU' });
const us = item('12', 'Implementation US', 'IMPL-US', { region: 'US' });
const training = item('13', 'Admin training', 'TRAIN-ADM', { delivery_track: 'training' }, 2);
const closedAt = new Date('2026-11-24T15:00:00Z');
const plan = (lineItems: CrmLineItem[], at = closedAt) => buildHandoff(mapping, deal({ lineItems }), { closedAt: at }).work;

describe('diffPlans', () => {
  it('the same deal again: no change, and the same digest every time', () => {
    const d = diffPlans(plan([eu, training]), plan([eu, training]));
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.digest).toBe(diffPlans(plan([eu, training]), plan([eu, training])).digest);
  });

  it('a line item added and one removed: its tasks are added / cancelled, dependencies re-linked, nothing else moves', () => {
    const d = diffPlans(plan([eu, training]), plan([us, training]));
    expect(d.add.map((t) => t.id)).toEqual(['configure--li-12', 'verify--li-12']);
    expect(d.cancel.map((t) => t.id)).toEqual(['configure--li-11', 'verify--li-11']);
    expect(d.relink).toEqual([{ id: 'first-deliverable', summary: 'Deliver the first deliverable', added: ['verify--li-12'], removed: ['verify--li-11'] }]);
    expect(d.moved).toEqual([]);
  });

  it('a quantity change renames the generated task; a moved close date moves every date', () => {
    const more = diffPlans(plan([training]), plan([{ ...training, quantity: 3 }]));
    expect(more.renamed).toEqual([{ id: 'training--li-13', from: 'Run 2 training day(s): Admin training', to: 'Run 3 training day(s): Admin training' }]);
    const later = diffPlans(plan([training]), plan([training], new Date('2026-12-01T15:00:00Z')));
    expect(later.moved.length).toBe(plan([training]).tasks.length);
    expect(later.moved.find((m) => m.id === 'kickoff')).toMatchObject({ from: expect.any(String), to: expect.any(String) });
    expect(later.digest).not.toBe(more.digest);
  });
});

describe('the amendment message', () => {
  it('lists the change with escaped task text and buttons naming the exact proposal', () => {
    const evil = { ...us, name: '<!channel> *Implementation* US' };
    const d = diffPlans(plan([eu]), plan([evil]));
    const m = buildAmendmentMessage({ handoffId: 'h-1', title: 'Acme <b>', why: 'line item added: Implementation US', diff: d, handoffUrl: 'https://baton.example/handoffs/h-1', dealUrl: null });
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('*Add:*');
    expect(text).toContain('*Cancel* (closed with a comment, not deleted):');
    const actions = m.blocks.at(-1) as { elements: Array<{ action_id: string; value: string }> };
    expect(actions.elements[0]!.action_id).toBe(AMEND_APPLY_ACTION_ID);
    expect(decodeAmendmentRef(actions.elements[0]!.value)).toEqual({ handoffId: 'h-1', digest: d.digest });
    expect(decodeAmendmentRef('{"h":"x","d":"not-a-digest"}')).toBeNull();
  });
});
