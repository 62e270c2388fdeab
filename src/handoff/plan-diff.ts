// What an amendment changes in the delivery plan (issue 16, item 2): the plan recomputed from the amended deal,
// compared with the plan the work was created from, by stable task id (line-item tasks: <task>--li-<line item>).
// Tasks to add, tasks to cancel (never deleted: moved to done/cancelled with a comment), due dates that move,
// summaries that change, and dependency links to add or remove. The digest names exactly this change, so a
// proposal is applied at most once and a repeated or concurrent amendment with the same outcome converges. Pure.
import { createHash } from 'node:crypto';
import type { PlannedTask, WorkPlan } from './types.js';

export interface PlanDiff {
  add: PlannedTask[];
  cancel: PlannedTask[];
  /** Due date changes of tasks in both plans. */
  moved: Array<{ id: string; summary: string; from: string | null; to: string | null }>;
  renamed: Array<{ id: string; from: string; to: string }>;
  /** `after` changes of tasks in both plans (links to tasks that are added or cancelled included). */
  relink: Array<{ id: string; summary: string; added: string[]; removed: string[] }>;
  /** sha256 of the change, 16 hex characters: the proposal's identity. */
  digest: string;
}

export const isEmptyDiff = (d: PlanDiff): boolean =>
  d.add.length + d.cancel.length + d.moved.length + d.renamed.length + d.relink.length === 0;

export function diffPlans(current: WorkPlan, next: WorkPlan): PlanDiff {
  const before = new Map(current.tasks.map((t) => [t.id, t]));
  const after = new Map(next.tasks.map((t) => [t.id, t]));
  const add = next.tasks.filter((t) => !before.has(t.id));
  const cancel = current.tasks.filter((t) => !after.has(t.id));
  const moved: PlanDiff['moved'] = [];
  const renamed: PlanDiff['renamed'] = [];
  const relink: PlanDiff['relink'] = [];
  for (const t of next.tasks) {
    const old = before.get(t.id);
    if (!old) continue;
    if (old.dueDate !== t.dueDate) moved.push({ id: t.id, summary: t.summary, from: old.dueDate, to: t.dueDate });
    if (old.summary !== t.summary) renamed.push({ id: t.id, from: old.summary, to: t.summary });
    const added = t.after.filter((d) => !old.after.includes(d));
    const removed = old.after.filter((d) => !t.after.includes(d));
    if (added.length || removed.length) relink.push({ id: t.id, summary: t.summary, added, removed });
  }
  const canonical = JSON.stringify({
    add: add.map((t) => [t.id, t.summary, t.dueDate, t.after]),
    cancel: cancel.map((t) => t.id),
    moved: moved.map((m) => [m.id, m.to]),
    renamed: renamed.map((r) => [r.id, r.to]),
    relink: relink.map((r) => [r.id, r.added, r.removed]),
  });
  return { add, cancel, moved, renamed, relink, digest: createHash('sha256').update(canonical).digest('hex').slice(0, 16) };
}
