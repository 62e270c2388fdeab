// Small builders for store tests: valid rows with just the fields a test cares about overridden.
import type { CrmEvent } from '../../../../src/handoff/ports.js';
import type { HandoffDocument } from '../../../../src/handoff/types.js';
import type { NewHandoff } from '../../../../src/store/handoff-repo.js';

export function sampleEvent(n: number, overrides: Partial<CrmEvent> = {}): CrmEvent {
  return {
    identity: `hubspot:62515:deal.propertyChange:${1000 + n}:${1_700_000_000_000 + n}`,
    crm: 'hubspot',
    accountId: '62515',
    kind: 'deal.property_changed',
    dealId: `${9000 + (n % 7)}`,
    occurredAt: 1_700_000_000_000 + n,
    property: { name: 'dealstage', value: 'closedwon' },
    ...overrides,
  };
}

export function sampleDocument(title = 'Handoff: Acme — Website rebuild'): HandoffDocument {
  return {
    title,
    sections: [
      {
        id: 'contact',
        title: 'Primary contact and communication preferences',
        fields: [{ key: 'contact.email', label: 'Email', value: 'ana@acme.test', required: true, missing: false }],
      },
      {
        id: 'scope',
        title: 'Scope sold and deviations from the standard offering',
        fields: [{ key: 'deal.baton_scope', label: 'Scope', value: null, required: true, missing: true }],
      },
    ],
    complete: false,
    missing: [{ section: 'scope', key: 'deal.baton_scope', label: 'Scope' }],
  };
}

export function sampleHandoff(overrides: Partial<NewHandoff> = {}): NewHandoff {
  const document = sampleDocument();
  return {
    crm: 'hubspot',
    accountId: '62515',
    dealId: '9001',
    mapping: 'services-onboarding',
    phase: 'closed',
    title: document.title,
    dealName: 'Website rebuild',
    document,
    complete: document.complete,
    missing: document.missing,
    plan: { work: { tool: 'jira', project: 'DEL', tasks: [] }, kickoffDue: '2025-02-03' },
    deal: { id: '9001', properties: { dealname: 'Website rebuild' } },
    closedAt: '2025-01-31T15:00:00.000Z',
    ...overrides,
  };
}
