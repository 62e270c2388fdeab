// Checks follow their task: a change the task-status side observed (../observe-task.ts) resolves the checks
// waiting on that task, or moves an `at: task.<id>.due` check with the new due date.
import type { JobDeps } from '../job-deps.js';
import type { StoredPlan } from '../../src/mapping/build-handoff.js';
import type { HandoffRow } from '../../src/store/handoff-repo.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { listPendingChecks, updateCheckIf } from '../../src/store/escalation-repo.js';
import type { ObservedTask, TaskChange } from '../../src/store/task-status-repo.js';
import { atTask, dueDateToInstant } from '../../src/watch/check-schedule.js';
import { conditionTask, isResolved, parseUnless } from '../../src/watch/watch-condition.js';
import { mappingOf } from '../mapping-of.js';
import { dropCheckJob, moveCheckJob } from './check-jobs.js';

/**
 * A task changed in the tool: checks waiting on it are resolved when the condition now holds, and an
 * `at: task.<id>.due` check that has not fired yet moves with the due date.
 */
export async function onTaskChanged(deps: JobDeps, handoff: HandoffRow, taskId: string, seen: ObservedTask, changes: TaskChange[]): Promise<void> {
  const mapping = mappingOf(deps, handoff.mapping);
  if (!mapping) return;
  const plan = handoff.plan as StoredPlan;
  for (const check of await listPendingChecks(deps.store, handoff.id)) {
    const spec = mapping.escalations.find((e) => e.id === check.triggerId);
    if (!spec) continue;
    const key = { handoffId: handoff.id, triggerId: check.triggerId };
    const condition = parseUnless(spec.unless);
    if (conditionTask(condition) === taskId && isResolved(condition, { tasks: { [taskId]: seen.category }, documentComplete: handoff.complete, deal: null })) {
      if (await updateCheckIf(deps.store, key, { status: 'pending', rung: check.rung, round: check.round }, { status: 'resolved', note: `resolved: task ${taskId} is ${seen.statusName ?? seen.category}` })) {
        await dropCheckJob(deps, check);
        await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.resolved', message: `Escalation ${spec.id} resolved: task ${taskId} is ${seen.statusName ?? seen.category}; pending checks cancelled`, data: { trigger: spec.id } });
      }
      continue;
    }
    if (atTask(spec) === taskId && check.rung === 0 && changes.some((c) => c.field === 'due') && seen.dueDate) {
      const dueAt = dueDateToInstant(seen.dueDate, plan.calendar);
      if (!dueAt || dueAt.toISOString() === check.dueAt) continue;
      const moved = { dueAt: dueAt.toISOString(), since: dueAt.toISOString() };
      if (await updateCheckIf(deps.store, key, { status: 'pending', rung: 0, round: check.round }, moved)) {
        await moveCheckJob(deps, { ...check, ...moved });
        await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'escalation.moved', message: `Escalation ${spec.id} moved with task ${taskId}'s due date: now ${moved.dueAt}`, data: { trigger: spec.id, from: check.dueAt, to: moved.dueAt } });
      }
    }
  }
}
