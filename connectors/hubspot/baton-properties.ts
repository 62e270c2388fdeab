// The "Baton handoff" deal property group: what the default mapping reads (filled in by reps before close) and
// what Baton writes back. Declared as data in the shape of HubSpot's properties API (POST /crm/v3/properties/deals),
// so `baton hubspot setup` creates exactly this and preflight can tell "run setup" from "typo in the mapping".

export const BATON_PROPERTY_GROUP = {
  name: 'baton_handoff',
  label: 'Baton handoff',
  displayOrder: -1,
} as const;

export type HubSpotPropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
export type HubSpotFieldType = 'text' | 'textarea' | 'date' | 'select' | 'number' | 'booleancheckbox' | 'html';

export interface BatonPropertyDefinition {
  name: string;
  label: string;
  type: HubSpotPropertyType;
  fieldType: HubSpotFieldType;
  groupName: typeof BATON_PROPERTY_GROUP.name;
  description: string;
  /** Enumerations only. */
  options?: Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>;
  /** Who fills it: reps (read by the mapping) or Baton (written back). */
  writtenBy: 'rep' | 'baton';
}

/** baton_status values; the CRM-neutral statuses of WriteBackRequest.status map onto these 1:1. */
export const BATON_STATUS_VALUES = ['preparing', 'incomplete', 'in_delivery', 'kickoff_done', 'stalled'] as const;
export type BatonStatus = (typeof BATON_STATUS_VALUES)[number];

const STATUS_LABELS: Record<BatonStatus, string> = {
  preparing: 'Preparing',
  incomplete: 'Incomplete handoff',
  in_delivery: 'In delivery',
  kickoff_done: 'Kickoff done',
  stalled: 'Stalled',
};

const group = BATON_PROPERTY_GROUP.name;
const rep = (name: string, label: string, fieldType: 'text' | 'textarea', description: string): BatonPropertyDefinition => ({
  name, label, type: 'string', fieldType, groupName: group, description, writtenBy: 'rep',
});
const repDate = (name: string, label: string, description: string): BatonPropertyDefinition => ({
  name, label, type: 'date', fieldType: 'date', groupName: group, description, writtenBy: 'rep',
});
const baton = (name: string, label: string, description: string): BatonPropertyDefinition => ({
  name, label, type: 'string', fieldType: 'text', groupName: group, description, writtenBy: 'baton',
});

export const BATON_PROPERTIES: BatonPropertyDefinition[] = [
  // Read by the default mapping (mappings/default.yaml).
  rep('baton_scope', 'Scope sold', 'textarea', 'What the client bought, in delivery terms.'),
  rep('baton_scope_deviations', 'Deviations from the standard offering', 'textarea', 'Anything sold that differs from the standard package.'),
  rep('baton_promised_timeline', 'Timeline promised', 'textarea', 'Dates or durations promised to the client.'),
  repDate('baton_kickoff_target', 'Kickoff target', 'When the client expects the kickoff.'),
  repDate('baton_first_deliverable_date', 'First deliverable date', 'Date promised for the first deliverable.'),
  rep('baton_risks', 'Known risks and sensitivities', 'textarea', 'Risks, politics and sensitivities delivery should know.'),
  rep('baton_billing_terms', 'Billing terms', 'textarea', 'Payment terms agreed in the contract.'),
  rep('baton_payment_schedule', 'Payment schedule', 'textarea', 'When invoices go out.'),
  rep('baton_verbal_commitments', 'Verbal commitments not in the contract', 'textarea', 'Write "None" when nothing was promised outside the contract.'),
  rep('baton_comm_preferences', 'Communication preferences', 'textarea', 'How and how often the client wants to hear from us.'),
  rep('baton_client_slack_channel', 'Client Slack channel', 'text', 'Slack (Connect) channel id shared with the client, e.g. C0123456789.'),
  rep('baton_project_lead_email', 'Project lead email', 'text', 'Email of the proposed delivery project lead.'),
  rep('baton_delivery_stakeholders', 'Delivery stakeholders', 'textarea', 'Who on the client side delivery works with.'),
  // Written back by Baton (baton_client_thread_ts is also read: later client updates continue that thread).
  {
    name: 'baton_status',
    label: 'Baton status',
    type: 'enumeration',
    fieldType: 'select',
    groupName: group,
    description: 'Where the handoff stands. Set by Baton.',
    options: BATON_STATUS_VALUES.map((value, i) => ({ label: STATUS_LABELS[value], value, displayOrder: i, hidden: false })),
    writtenBy: 'baton',
  },
  baton('baton_work_url', 'Delivery work', 'The Jira epic or Asana project of the handoff. Set by Baton.'),
  {
    name: 'baton_kickoff_due',
    label: 'Kickoff due',
    type: 'date',
    fieldType: 'date',
    groupName: group,
    description: 'When the kickoff is due, in business days from the close. Set by Baton.',
    writtenBy: 'baton',
  },
  {
    name: 'baton_kickoff_done',
    label: 'Kickoff done',
    type: 'date',
    fieldType: 'date',
    groupName: group,
    description: 'When delivery finished the kickoff task. Set by Baton from Jira/Asana.',
    writtenBy: 'baton',
  },
  {
    name: 'baton_first_deliverable_done',
    label: 'First deliverable done',
    type: 'date',
    fieldType: 'date',
    groupName: group,
    description: 'When delivery finished the first deliverable. Set by Baton from Jira/Asana.',
    writtenBy: 'baton',
  },
  baton('baton_handoff_url', 'Handoff status page', 'The handoff on the Baton dashboard. Set by Baton.'),
  baton('baton_client_thread_ts', 'Client Slack thread', 'The client thread Baton continues (Slack ts). Set by Baton; keep it to stay in the same thread.'),
  baton('baton_note_id', 'Baton timeline note', 'Id of the timeline note Baton left on this deal. Set by Baton.'),
];

export const BATON_PROPERTY_NAMES = new Set(BATON_PROPERTIES.map((p) => p.name));

/** The body HubSpot's create-property endpoint takes (Baton-only keys removed). */
export function toPropertyCreate(p: BatonPropertyDefinition): Record<string, unknown> {
  const { writtenBy: _writtenBy, ...body } = p;
  return body;
}
