// The handoff domain's data: pure values, serialisable to JSON, stored on the handoff row.

/** Fixed order: delivery always knows where to look, whatever order a mapping lists them in. */
export const SECTION_IDS = [
  'contact',
  'scope',
  'timeline',
  'risks',
  'billing',
  'commitments',
  'stakeholders',
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export const SECTION_TITLES: Record<SectionId, string> = {
  contact: 'Primary contact and communication preferences',
  scope: 'Scope sold and deviations from the standard offering',
  timeline: 'Timeline promised',
  risks: 'Known risks and sensitivities',
  billing: 'Billing terms and payment schedule',
  commitments: 'Verbal commitments not in the contract',
  stakeholders: 'Stakeholders (sales and delivery)',
};

export interface DocumentField {
  key: string;
  label: string;
  /** Rendered plain text, untrusted (client- and rep-written). Renderers escape it for their target. */
  value: string | null;
  required: boolean;
  missing: boolean;
}

export interface DocumentSection {
  id: SectionId;
  title: string;
  fields: DocumentField[];
}

export interface MissingField {
  section: SectionId;
  key: string;
  label: string;
}

export interface HandoffDocument {
  title: string;
  sections: DocumentSection[];
  complete: boolean;
  missing: MissingField[];
}

/** A person a mapping names by role (sales_rep, project_lead, ...), resolved to an email. */
export interface ResolvedPerson {
  role: string;
  email: string | null;
  name: string | null;
  /** Where the email came from, for the audit trail: 'owner.email', 'fallback', 'static'. */
  source: string;
}

export interface PlannedTask {
  id: string;
  summary: string;
  description: string | null;
  assigneeRole: string | null;
  assigneeEmail: string | null;
  /** Calendar date in the mapping's timezone, YYYY-MM-DD (what Jira's duedate / Asana's due_on take). */
  dueDate: string | null;
  /** The same due moment as a UTC instant (end of the business day in the mapping's timezone). */
  dueAt: string | null;
  /** Ids of tasks that block this one. */
  after: string[];
  labels: string[];
  /** Extra tool-specific fields the mapping sets (e.g. customfield_10020), values already rendered. */
  fields: Record<string, unknown>;
}

export interface WorkPlan {
  tool: 'jira' | 'asana';
  project: string;
  parent: { summary: string };
  tasks: PlannedTask[];
}

export interface IntroPlan {
  tool: 'slack';
  /** Channel id or name; null when the deal names none (the step records that and skips). */
  channel: string | null;
  /** Existing client thread to reply in, when the deal knows one. */
  threadTs: string | null;
  /** Plain text from the mapping's message template; untrusted parts already escaped for mrkdwn. */
  text: string;
}
