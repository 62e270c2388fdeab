// The body of POST /tasks for one planned task (pure): used by the live connector, dry-run records and preview.
import type { PlannedTask } from '../../src/handoff/types.js';
import { taskExternalGid, taskRef, withFooter } from './markers.js';

/** Fields Baton sets itself; a mapping's task `fields` cannot override them. */
export const RESERVED_FIELDS = new Set(['name', 'notes', 'html_notes', 'assignee', 'due_on', 'due_at', 'projects', 'memberships', 'external', 'workspace', 'parent']);

export function asanaTaskBody(input: {
  task: PlannedTask;
  handoffId: string;
  mapping: string;
  projectGid: string;
  sectionGid: string | null;
  /** The handoff document (Markdown) when this task must carry it (first task in an existing project). */
  document: string | null;
  assignee: string | null;
  external: boolean;
}): Record<string, unknown> {
  const { task } = input;
  const description = task.description ?? '';
  const text = input.document ? [input.document, description].filter((s) => s.trim() !== '').join('\n\n') : description;
  const extra = Object.fromEntries(Object.entries(task.fields).filter(([k]) => !RESERVED_FIELDS.has(k)));
  const body: Record<string, unknown> = {
    ...extra,
    name: task.summary,
    notes: withFooter(text, taskRef(input.handoffId, task.id)),
    ...(task.dueDate ? { due_on: task.dueDate } : {}),
    ...(input.sectionGid ? { memberships: [{ project: input.projectGid, section: input.sectionGid }] } : { projects: [input.projectGid] }),
  };
  if (input.assignee) body.assignee = input.assignee;
  if (input.external) {
    body.external = { gid: taskExternalGid(input.handoffId, task.id), data: JSON.stringify({ handoffId: input.handoffId, taskId: task.id, mapping: input.mapping }) };
  }
  return body;
}
