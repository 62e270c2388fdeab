// An escalation's `unless:` as a value, and whether it holds against the LIVE state of the handoff
// (the delivery tool's task status, the document's completeness, the deal's fields). Pure.
import { conditionHolds } from '../mapping/conditions.js';
import type { TemplateContext } from '../mapping/context.js';
import { UNLESS_PATTERN, type Condition, type Unless } from '../mapping/schema.js';
import type { TaskCategory } from '../handoff/ports.js';

export type WatchCondition =
  | { kind: 'none' }
  | { kind: 'task'; taskId: string; state: 'done' | 'started' }
  | { kind: 'document-complete' }
  | { kind: 'field'; condition: Condition };

export interface LiveState {
  /** Category per planned task id, as the tool reports it (missing = not known). */
  tasks: Record<string, TaskCategory | undefined>;
  documentComplete: boolean;
  /** The deal as a template context, for field conditions; null when it could not be read. */
  deal: TemplateContext | null;
}

export function parseUnless(unless: Unless | undefined): WatchCondition {
  if (unless === undefined) return { kind: 'none' };
  if (typeof unless !== 'string') return { kind: 'field', condition: unless };
  if (unless === 'document.complete') return { kind: 'document-complete' };
  const m = UNLESS_PATTERN.exec(unless);
  if (!m || !m[1] || (m[2] !== 'done' && m[2] !== 'started')) throw new Error(`invalid unless '${unless}'`);
  return { kind: 'task', taskId: m[1], state: m[2] };
}

/** The task a condition waits for, if any (a change to it can resolve the check early). */
export function conditionTask(c: WatchCondition): string | null {
  return c.kind === 'task' ? c.taskId : null;
}

/** True when the `unless` holds now: the check is resolved and must not escalate. */
export function isResolved(c: WatchCondition, live: LiveState): boolean {
  switch (c.kind) {
    case 'none':
      return false;
    case 'task': {
      const category = live.tasks[c.taskId];
      // "Done" is the tool's done category (Jira statusCategory, Asana completed), never a status name.
      return c.state === 'done' ? category === 'done' : category === 'done' || category === 'in_progress';
    }
    case 'document-complete':
      return live.documentComplete;
    case 'field':
      // An unreadable deal cannot prove the condition: keep watching.
      return live.deal !== null && conditionHolds(c.condition, live.deal);
  }
}

/** What stalled, as a sentence fragment for the escalation ("task kickoff is not done"). */
export function describeStall(c: WatchCondition, taskSummary?: (taskId: string) => string | null): string {
  switch (c.kind) {
    case 'none':
      return 'a scheduled check is due';
    case 'task': {
      const name = taskSummary?.(c.taskId);
      const label = name ? `"${name}" (${c.taskId})` : c.taskId;
      return c.state === 'done' ? `task ${label} is not done` : `task ${label} has not started`;
    }
    case 'document-complete':
      return 'the handoff document is still incomplete';
    case 'field': {
      const f = c.condition;
      const what = f.exists !== undefined ? (f.exists ? 'is still empty' : 'is still set') : 'does not meet its condition';
      return `${f.field} ${what}`;
    }
  }
}
