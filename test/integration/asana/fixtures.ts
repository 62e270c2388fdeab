// A handoff's create-work request for the Asana connector tests (nock and stand-in).
import type { CreateWorkRequest, StepProgress } from '../../../src/handoff/ports.js';
import type { HandoffDocument, PlannedTask, WorkPlan } from '../../../src/handoff/types.js';

export const HANDOFF_ID = 'h-0001';

export function doc(overrides: Partial<HandoffDocument> = {}): HandoffDocument {
  return {
    title: 'ACME onboarding',
    complete: true,
    missing: [],
    sections: [
      {
        id: 'scope',
        title: 'Scope sold and deviations from the standard offering',
        fields: [{ key: 'scope', label: 'Scope', value: 'Implementation, 3 integrations', required: true, missing: false }],
      },
    ],
    ...overrides,
  };
}

export function task(id: string, over: Partial<PlannedTask> = {}): PlannedTask {
  return {
    id,
    summary: `Task ${id}`,
    description: null,
    assigneeRole: null,
    assigneeEmail: null,
    dueDate: null,
    dueAt: null,
    after: [],
    labels: [],
    fields: {},
    ...over,
  };
}

/** kickoff ← review (after kickoff) ← setup (after kickoff and review). */
export function plan(project: string, over: Partial<WorkPlan> = {}): WorkPlan {
  return {
    tool: 'asana',
    project,
    parent: { summary: 'ACME onboarding' },
    tasks: [
      task('kickoff', { summary: 'Kickoff call', assigneeRole: 'project_lead', assigneeEmail: 'lead@example.com', dueDate: '2025-09-01', dueAt: '2025-09-01T16:00:00.000Z' }),
      task('review', { summary: 'Review the handoff', description: 'Read the document', assigneeRole: 'sales_rep', assigneeEmail: 'rep@example.com', dueDate: '2025-09-03', after: ['kickoff'] }),
      task('setup', { summary: 'Set up the workspace', after: ['kickoff', 'review'] }),
    ],
    ...over,
  };
}

/**
 * In-memory step progress. `crashAfterSaves`: the save after that many throws before recording, as a process
 * killed between the API call and the store write would.
 */
export function memoryProgress(initial: Record<string, unknown> = {}, crashAfterSaves?: number): StepProgress & { saves: number } {
  const p = {
    saved: { ...initial },
    saves: 0,
    async save(ids: Record<string, unknown>) {
      if (crashAfterSaves !== undefined && p.saves >= crashAfterSaves) throw new Error('simulated crash before recording');
      p.saves += 1;
      Object.assign(p.saved, ids);
    },
  };
  return p;
}

export function request(workPlan: WorkPlan, progress: StepProgress = memoryProgress(), document = doc()): CreateWorkRequest {
  return {
    handoffId: HANDOFF_ID,
    mapping: 'services-onboarding',
    idempotencyKey: `${HANDOFF_ID}:create-work`,
    plan: workPlan,
    document,
    people: {},
    progress,
  };
}
