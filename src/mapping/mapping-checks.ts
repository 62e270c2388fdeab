// Checks that need the whole mapping: people roles, the task graph, the calendar, template variables.
// Each issue carries the key path of the value to fix, so the loader can point at its line and column.
import type { z } from 'zod';
import { validateCalendar } from '../handoff/calendar.js';
import { CONTEXT_ROOTS } from './context.js';
import { findCycle } from './task-graph.js';
import { templateVariables } from './template.js';
import { templatesOf } from './templates-of.js';
import { AT_PATTERN, UNLESS_PATTERN, type MappingShapeOutput } from './schema.js';
import { fieldKey } from './field-key.js';

const formatKeyPath = (p: Path) => p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** Names a template may read besides the CRM context; the intro message also gets `kickoff_due`. */
export const EXTRA_TEMPLATE_ROOTS = ['people', 'handoff_url'] as const;
export const MESSAGE_ONLY_ROOTS = ['kickoff_due'] as const;
/** Templates of tasks generated per line item also see the line item. */
export const ITEM_ONLY_ROOTS = ['item'] as const;

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

function checkCalendar(m: MappingShapeOutput, ctx: Ctx): void {
  for (const problem of validateCalendar({ timezone: m.timezone, holidays: null })) issue(ctx, ['timezone'], problem);
  if (m.business_days.holidays) {
    for (const problem of validateCalendar({ timezone: 'UTC', holidays: m.business_days.holidays })) {
      issue(ctx, ['business_days', 'holidays'], problem);
    }
  }
}

function checkTasks(m: MappingShapeOutput, ctx: Ctx): void {
  const roles = Object.keys(m.people);
  const roleList = roles.length ? roles.join(', ') : '(none declared)';
  const firstIndex = new Map<string, number>();
  const milestones = new Map<string, string>();

  // Top-level tasks and the tasks of line-item groups share one id space and one dependency graph.
  const all = [
    ...m.work.tasks.map((task, i) => ({ task, path: ['work', 'tasks', i] as Path, group: null as number | null })),
    ...m.work.groups.flatMap((g, gi) => g.tasks.map((task, i) => ({ task, path: ['work', 'groups', gi, 'tasks', i] as Path, group: gi }))),
  ];
  const firstPath = new Map<string, Path>();
  for (const { task, path, group } of all) {
    const seen = firstPath.get(task.id);
    if (seen !== undefined) issue(ctx, [...path, 'id'], `duplicate task id '${task.id}' (also ${formatKeyPath(seen)})`);
    else firstPath.set(task.id, path);
    if (group === null) firstIndex.set(task.id, path[2] as number);

    if (task.assignee !== undefined && !roles.includes(task.assignee)) {
      issue(ctx, [...path, 'assignee'], `unknown role '${task.assignee}'; declared under people: ${roleList}`);
    }
    if (task.milestone && group !== null) {
      issue(ctx, [...path, 'milestone'], `a milestone is one task; tasks generated per line item cannot be milestone '${task.milestone}'`);
    } else if (task.milestone) {
      const other = milestones.get(task.milestone);
      if (other) issue(ctx, [...path, 'milestone'], `milestone '${task.milestone}' is already task '${other}'`);
      else milestones.set(task.milestone, task.id);
    }
  }

  const ids = new Set(firstPath.keys());
  for (const { task, path } of all) {
    task.after.forEach((dep, k) => {
      if (dep === task.id) issue(ctx, [...path, 'after', k], `task '${task.id}' cannot come after itself`);
      else if (!ids.has(dep)) issue(ctx, [...path, 'after', k], `unknown task id '${dep}' in after (tasks: ${[...ids].join(', ')})`);
    });
  }

  // Self-references are reported above; look for longer cycles without them.
  const cycle = findCycle(all.map(({ task: t }) => ({ id: t.id, after: t.after.filter((d) => d !== t.id) })));
  if (cycle) {
    issue(ctx, [...(firstPath.get(cycle[0] ?? '') ?? ['work', 'tasks', 0]), 'after'], `dependency cycle: ${cycle.join(' -> ')}`);
  }
}

function checkRoles(m: MappingShapeOutput, ctx: Ctx): void {
  if (m.feedback && !(m.feedback.ask in m.people)) {
    const roles = Object.keys(m.people);
    issue(ctx, ['feedback', 'ask'], `unknown role '${m.feedback.ask}'; declared under people: ${roles.join(', ') || '(none declared)'}`);
  }
}

function checkDocument(m: MappingShapeOutput, ctx: Ctx): void {
  for (const [section, items] of Object.entries(m.document.sections)) {
    const keys = new Map<string, number>();
    (items ?? []).forEach((item, i) => {
      const key = fieldKey(item);
      const seen = keys.get(key);
      if (seen !== undefined) {
        const at = item.key !== undefined ? 'key' : 'label';
        issue(ctx, ['document', 'sections', section, i, at], `duplicate field key '${key}' in section ${section} (also item ${seen}); set a distinct \`key\``);
      } else keys.set(key, i);
    });
  }
}

function checkEscalations(m: MappingShapeOutput, ctx: Ctx): void {
  const seen = new Set<string>();
  const roles = Object.keys(m.people);
  const roleList = roles.length ? roles.join(', ') : '(none declared)';
  const tasks = new Map(m.work.tasks.map((t) => [t.id, t]));
  const taskList = [...tasks.keys()].join(', ');
  const checkNotify = (notify: string[] | undefined, path: Path) =>
    notify?.forEach((role, k) => {
      if (!roles.includes(role)) issue(ctx, [...path, k], `unknown role '${role}'; declared under people: ${roleList}`);
    });
  m.escalations.forEach((e, i) => {
    if (seen.has(e.id)) issue(ctx, ['escalations', i, 'id'], `duplicate escalation id '${e.id}'`);
    seen.add(e.id);
    checkNotify(e.notify, ['escalations', i, 'notify']);
    const atTask = e.at ? AT_PATTERN.exec(e.at)?.[1] : undefined;
    if (atTask !== undefined) {
      const task = tasks.get(atTask);
      if (!task) issue(ctx, ['escalations', i, 'at'], `unknown task id '${atTask}' (tasks: ${taskList})`);
      else if (task.due === undefined) issue(ctx, ['escalations', i, 'at'], `task '${atTask}' has no \`due\`, so it has no due moment to escalate at`);
    }
    if (typeof e.unless === 'string') {
      const unlessTask = UNLESS_PATTERN.exec(e.unless)?.[1];
      if (unlessTask !== undefined && !tasks.has(unlessTask)) issue(ctx, ['escalations', i, 'unless'], `unknown task id '${unlessTask}' (tasks: ${taskList})`);
    }
    const path: Path = ['escalations', i];
    for (let rung = e.then; rung; rung = rung.then) {
      path.push('then');
      checkNotify(rung.notify, [...path, 'notify']);
    }
  });
  if (m.feedback?.questions) {
    const ids = new Set<string>();
    m.feedback.questions.forEach((q, i) => {
      if (ids.has(q.id)) issue(ctx, ['feedback', 'questions', i, 'id'], `duplicate question id '${q.id}'`);
      ids.add(q.id);
    });
  }
}

function checkTemplateVariables(m: MappingShapeOutput, ctx: Ctx): void {
  const roles = Object.keys(m.people);
  for (const loc of templatesOf(m)) {
    const known: string[] = [...CONTEXT_ROOTS, ...EXTRA_TEMPLATE_ROOTS];
    if (loc.kind === 'message') known.push(...MESSAGE_ONLY_ROOTS);
    if (loc.kind === 'item') known.push(...ITEM_ONLY_ROOTS);
    let vars: string[][];
    try {
      vars = templateVariables(loc.template);
    } catch {
      continue; // syntax errors are reported by the template's own check
    }
    const problems = new Set<string>();
    for (const [root, second] of vars) {
      if (root === undefined) continue;
      if (!known.includes(root)) {
        problems.add(`unknown template variable '${root}' (templates here can read: ${known.join(', ')})`);
      } else if (root === 'people' && second !== undefined && !roles.includes(second)) {
        problems.add(`unknown role 'people.${second}'; declared under people: ${roles.join(', ') || '(none declared)'}`);
      }
    }
    for (const p of problems) issue(ctx, loc.path, p);
  }
}

export function checkMapping(m: MappingShapeOutput, ctx: Ctx): void {
  checkCalendar(m, ctx);
  checkTasks(m, ctx);
  checkRoles(m, ctx);
  checkDocument(m, ctx);
  checkEscalations(m, ctx);
  checkTemplateVariables(m, ctx);
}
