// The schedule-checks step's half for escalations (the feedback half is ../schedule-feedback.ts), and its
// undoing when a handoff stops.
import type { JobDeps } from '../job-deps.js';
import type { StoredPlan } from '../../src/mapping/build-handoff.js';
import type { Mapping } from '../../src/mapping/schema.js';
import type { HandoffRow } from '../../src/store/handoff-repo.js';
import { appendAudit } from '../../src/store/audit-repo.js';
import { cancelPendingChecks, ensureCheck } from '../../src/store/escalation-repo.js';
import { getTaskStatus } from '../../src/store/task-status-repo.js';
import { atTask, dueDateToInstant, firstDue } from '../../src/watch/check-schedule.js';
import { dropCheckJob, enqueueCheck } from './check-jobs.js';
import { cancelFeedback } from '../schedule-feedback.js';

/**
 * The schedule-checks step: one check per escalation of the mapping (rung 0), due from the close or at
 * the task's due moment. Re-running is harmless: existing checks and jobs are kept.
 */
export async function scheduleChecks(deps: JobDeps, handoff: HandoffRow, mapping: Mapping): Promise<{ scheduled: string[]; skipped: string[] }> {
  const plan = handoff.plan as StoredPlan;
  const closedAt = new Date(handoff.closedAt ?? handoff.createdAt);
  const scheduled: string[] = [];
  const skipped: string[] = [];
  for (const spec of mapping.escalations) {
    const taskDueAt = async (taskId: string) => {
      const live = await getTaskStatus(deps.store, handoff.id, taskId);
      const planned = plan.work.tasks.find((t) => t.id === taskId);
      // The planned instant unless the tool already holds another date (moved before this step ran).
      if (live?.dueDate && live.dueDate !== planned?.dueDate) return dueDateToInstant(live.dueDate, plan.calendar);
      if (planned?.dueAt) return new Date(planned.dueAt);
      return live?.dueDate ? dueDateToInstant(live.dueDate, plan.calendar) : null;
    };
    const task = atTask(spec);
    const taskDue = task ? await taskDueAt(task) : null;
    const due = firstDue(spec, { closedAt, calendar: plan.calendar, taskDueAt: () => taskDue });
    if (!due) {
      skipped.push(`${spec.id} (task ${task ?? '?'} has no due date)`);
      continue;
    }
    const { check } = await ensureCheck(deps.store, { handoffId: handoff.id, triggerId: spec.id, mapping: mapping.name, dueAt: due.dueAt.toISOString(), since: due.since.toISOString() });
    if (check.status === 'pending') await enqueueCheck(deps, check);
    scheduled.push(spec.id);
  }
  return { scheduled, skipped };
}

/** A deleted or merged deal: every pending check stops (rows cancelled, delayed jobs removed). */
export async function cancelChecks(deps: Pick<JobDeps, 'store' | 'queues'>, handoffId: string, why = 'the handoff was stopped'): Promise<number> {
  const cancelled = await cancelPendingChecks(deps.store, handoffId, why);
  for (const c of cancelled) await dropCheckJob(deps, c);
  await cancelFeedback(deps, handoffId);
  if (cancelled.length > 0) {
    await appendAudit(deps.store, { handoffId, actor: 'worker', kind: 'escalation.cancelled', message: `${cancelled.length} escalation check(s) cancelled: ${why}`, data: { triggers: cancelled.map((c) => c.triggerId) } });
  }
  return cancelled.length;
}
