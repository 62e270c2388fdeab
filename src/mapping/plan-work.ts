// The delivery work: one parent (epic / project) and the mapping's tasks with owners, dependencies and
// due dates. A task's due counts from the latest due of the tasks in its `after` list (the chain), or
// from the close time when it waits for nothing; a task without `due` passes its start on unchanged.
import type { PlannedTask, ResolvedPerson, WorkPlan } from '../handoff/types.js';
import { addDuration, type Calendar } from '../handoff/calendar.js';
import { parseDuration } from '../handoff/durations.js';
import { toOneLine } from '../handoff/escape.js';
import { renderAt, type RenderContext } from './render-at.js';
import type { Mapping, TaskSpec } from './schema.js';
import { dependencyOrder } from './task-graph.js';
import { concreteTasks } from './line-item-groups.js';
import type { KeyPath } from './yaml-locate.js';

/** Jira's summary limit (Asana's name is longer): cut here so the plan is sendable as is. */
export const MAX_SUMMARY_LENGTH = 255;

function summaryText(text: string, fallback: string): string {
  const line = toOneLine(text) || fallback;
  return line.length > MAX_SUMMARY_LENGTH ? `${line.slice(0, MAX_SUMMARY_LENGTH - 1)}…` : line;
}

function renderFields(mapping: Mapping, value: unknown, path: KeyPath, ctx: RenderContext): unknown {
  if (typeof value === 'string') return renderAt(mapping, path, value, ctx);
  if (Array.isArray(value)) return value.map((v, i) => renderFields(mapping, v, [...path, i], ctx));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderFields(mapping, v, [...path, k], ctx)]));
  }
  return value;
}

export interface PlannedWork {
  work: WorkPlan;
  /** Due date (local YYYY-MM-DD) of the kickoff milestone task, or of a task with id `kickoff`. */
  kickoffDue: string | null;
}

export function planWork(
  mapping: Mapping,
  ctx: RenderContext,
  people: Record<string, ResolvedPerson>,
  closedAt: Date,
  calendar: Calendar,
): PlannedWork {
  const { work } = mapping;
  const concrete = concreteTasks(work, ctx.line_items ?? []);
  // When each task's successors may start: its due moment, or its own start when it has no due.
  const finishes = new Map<string, Date>();
  const planned = new Map<string, PlannedTask>();

  for (const task of dependencyOrder(concrete)) {
    const path = (...rest: KeyPath): KeyPath => [...task.path, ...rest];
    const spec = task.spec;
    const taskCtx: RenderContext = task.item ? { ...ctx, item: task.item } : ctx;
    // Dependencies are placed first (dependencyOrder), and every finish is at or after the close.
    const start = task.after.reduce<Date>((latest, dep) => {
      const f = finishes.get(dep);
      return f && f.getTime() > latest.getTime() ? f : latest;
    }, closedAt);
    const due = spec.due !== undefined ? addDuration(start, parseDuration(spec.due), calendar) : null;
    finishes.set(task.id, due ? due.dueAt : start);

    const description = spec.description !== undefined ? renderAt(mapping, path('description'), spec.description, taskCtx).trim() : '';
    const person = spec.assignee !== undefined ? people[spec.assignee] : undefined;
    planned.set(task.id, {
      id: task.id,
      summary: summaryText(renderAt(mapping, path('summary'), spec.summary, taskCtx), task.id),
      description: description === '' ? null : description,
      assigneeRole: spec.assignee ?? null,
      assigneeEmail: person?.email ?? null,
      dueDate: due?.dueDate ?? null,
      dueAt: due?.dueAt.toISOString() ?? null,
      after: [...task.after],
      labels: [...new Set([...work.labels, ...spec.labels])],
      fields: renderFields(mapping, spec.fields, path('fields'), taskCtx) as Record<string, unknown>,
    });
  }

  const tasks = concrete.map((t) => planned.get(t.id)).filter((t): t is PlannedTask => t !== undefined);
  const kickoff: TaskSpec | undefined = work.tasks.find((t) => t.milestone === 'kickoff') ?? work.tasks.find((t) => t.id === 'kickoff');
  return {
    work: {
      tool: work.tool,
      project: work.project,
      parent: { summary: summaryText(renderAt(mapping, ['work', 'parent', 'summary'], work.parent.summary, ctx), mapping.name) },
      tasks,
    },
    kickoffDue: kickoff ? (planned.get(kickoff.id)?.dueDate ?? null) : null,
  };
}
