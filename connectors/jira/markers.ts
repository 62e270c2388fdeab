// The idempotency markers Baton leaves on Jira issues. Labels, because issue entity properties are not
// JQL-searchable for an API-token integration (FACTS §2); the `baton` entity property carries details
// for humans and tools but is never searched.

export const ENTITY_PROPERTY_KEY = 'baton';

/** On the parent and on every task of the handoff: one search finds them all. */
export const handoffLabel = (handoffId: string) => `baton-${handoffId}`;
/** On a task only: which planned task this issue is. */
export const taskLabel = (taskId: string) => `baton-task-${taskId}`;
const TASK_LABEL_PREFIX = 'baton-task-';

/** A JQL string literal: double quotes, with backslash and quote escaped. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Bounded (project + label) as /search/jql requires. */
export function markerJql(projectKey: string, handoffId: string): string {
  return `project = ${jqlString(projectKey)} AND labels = ${jqlString(handoffLabel(handoffId))}`;
}

/** The task id a found issue stands for, or null for the parent (no task label). */
export function taskIdFromLabels(labels: readonly string[]): string | null {
  const label = labels.find((l) => l.startsWith(TASK_LABEL_PREFIX));
  return label === undefined ? null : label.slice(TASK_LABEL_PREFIX.length);
}

/** Stable id of a dependency link in step progress: "<blocker>><blocked>". */
export const linkId = (blockerTaskId: string, blockedTaskId: string) => `${blockerTaskId}>${blockedTaskId}`;
