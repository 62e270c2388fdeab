// Test data for the Jira connector: a plan with a dependency chain, a document, and the request built from them.
import type { CreateWorkRequest, StepProgress } from '../../../src/handoff/ports.js';
import { recordingProgress } from '../../helpers/recording-progress.js';
import type { HandoffDocument, PlannedTask, ResolvedPerson, WorkPlan } from '../../../src/handoff/types.js';

export const HANDOFF_ID = '3f2a9c1e-0000-4000-8000-00000000abcd';
export const MAPPING = 'services-onboarding';
export const MARKER = `baton-${HANDOFF_ID}`;

export function task(id: string, overrides: Partial<PlannedTask> = {}): PlannedTask {
  return {
    id,
    summary: `Task ${id}`,
    description: `Do ${id}`,
    assigneeRole: 'project_lead',
    assigneeEmail: 'dana@example.com',
    dueDate: '2025-07-01',
    dueAt: '2025-07-01T15:00:00.000Z',
    after: [],
    labels: ['handoff'],
    fields: {},
    ...overrides,
  };
}

/** kickoff → setup → review (review also waits for kickoff). */
export function threeTaskPlan(project = 'DEL'): WorkPlan {
  return {
    tool: 'jira',
    project,
    parent: { summary: 'ACME — Onboarding' },
    tasks: [
      task('kickoff', { summary: 'Kickoff call', dueDate: '2025-07-01', fields: { customfield_10020: 42 } }),
      task('setup', { summary: 'Set up workspace', assigneeEmail: 'sam@example.com', assigneeRole: 'sales_rep', dueDate: '2025-07-03', after: ['kickoff'] }),
      task('review', { summary: 'Review scope', dueDate: '2025-07-08', after: ['kickoff', 'setup'], labels: ['handoff', 'review'] }),
    ],
  };
}

export const document: HandoffDocument = {
  title: 'Handoff: ACME — Onboarding',
  sections: [{ id: 'scope', title: 'Scope sold', fields: [{ key: 'scope', label: 'Scope', value: 'Implementation', required: true, missing: false }] }],
  complete: true,
  missing: [],
};

export const people: Record<string, ResolvedPerson> = {
  project_lead: { role: 'project_lead', email: 'dana@example.com', name: 'Dana', source: 'static' },
  sales_rep: { role: 'sales_rep', email: 'sam@example.com', name: 'Sam', source: 'owner.email' },
};

export function request(plan: WorkPlan, progress: StepProgress = recordingProgress(), overrides: Partial<CreateWorkRequest> = {}): CreateWorkRequest {
  return { handoffId: HANDOFF_ID, mapping: MAPPING, idempotencyKey: `${HANDOFF_ID}:create-work`, plan, document, people, progress, ...overrides };
}

export { recordingProgress };
export type { RecordingProgress } from '../../helpers/recording-progress.js';
