// What the delivery tools say about a handoff's tasks, applied: Jira and Asana webhooks and the periodic
// poll (task-status.ts) all end in observeTask: store the task's status / assignee / due date, put changes on
// the audit trail, resolve or move escalation checks (escalation/follow-task-change.ts), and mark milestones
// (reach-milestones.ts). When the tool can be read live, the webhook is only a hint: the task is re-read.
//
// Handled means committed (DESIGN invariant 8): the external effects of a change run first (each idempotent:
// a milestone is a PATCH of the same properties, a client update is a keyed post), then the task row, its
// audit lines and — last — the delivery id are written. A failure anywhere leaves the row as it was, so the
// retry sees the same change and re-runs the effects. Older observations (by the tool's own clock: Jira
// `updated`, Asana `modified_at`) never overwrite newer state, whether from a late delivery or a slow poll.
import type { TaskState } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import {
  commitObservedTask,
  diffObservedTask,
  getTaskStatus,
  isStaleObservation,
  listTaskStatus,
  seedTasks,
  type ObservedTask,
  type TaskChange,
  type TaskStatusRow,
} from '../src/store/task-status-repo.js';
import { onTaskChanged } from './escalation/follow-task-change.js';
import { reachMilestones } from './reach-milestones.js';

/** Compare-and-set rounds before leaving an observation to the writer that keeps winning (it records the change). */
const COMMIT_ROUNDS = 3;

export type AuditLine = Parameters<typeof appendAudit>[1];

/** Records the tasks create-work made (planned id → tool id/key/url), so webhooks can find their handoff. */
export async function seedTaskStatus(deps: JobDeps, handoff: HandoffRow, createdTasks: Record<string, { id: string; key: string | null; url: string | null; assignee: string | null }>): Promise<void> {
  const plan = handoff.plan as StoredPlan;
  await seedTasks(
    deps.store,
    handoff.id,
    plan.work.tool,
    plan.work.tasks
      .filter((t) => createdTasks[t.id])
      .map((t) => {
        const c = createdTasks[t.id]!;
        return { taskId: t.id, externalId: c.id, externalKey: c.key, url: c.url, assignee: c.assignee, dueDate: t.dueDate };
      }),
  );
}

/**
 * Re-reads the handoff's tasks (all it still watches, or the given planned ids) from the tool when it is live,
 * applies what changed, and returns the stored rows. Without a live tool the stored rows (webhooks) are returned.
 */
export async function refreshTasks(deps: JobDeps, handoff: HandoffRow, taskIds: string[] | undefined, source: string): Promise<TaskStatusRow[]> {
  await readAndObserve(deps, handoff, taskIds, source);
  const rows = await listTaskStatus(deps.store, handoff.id);
  return taskIds ? rows.filter((r) => taskIds.includes(r.taskId)) : rows;
}

/**
 * The live read behind refreshTasks; returns how many tasks changed. A task the tool says is gone is recorded
 * as deleted; the poll (no ids) no longer reads deleted tasks, a webhook naming one still does (Asana undelete).
 */
export async function readAndObserve(deps: JobDeps, handoff: HandoffRow, taskIds: string[] | undefined, source: string): Promise<number> {
  const tool = deps.connectors.workTool((handoff.plan as StoredPlan).work.tool);
  if (tool.mode !== 'live' || !tool.readTasks) return 0;
  const rows = (await listTaskStatus(deps.store, handoff.id)).filter((r) => (taskIds ? taskIds.includes(r.taskId) : r.deletedAt === null));
  if (rows.length === 0) return 0;
  const states: TaskState[] = await tool.readTasks(
    rows.map((r) => ({ taskId: r.taskId, externalId: r.externalId, key: r.externalKey })),
    { mapping: handoff.mapping },
  );
  let changed = 0;
  for (const s of states) {
    const row = rows.find((r) => r.taskId === s.taskId);
    const seen: ObservedTask | null = s.found ? s : s.deleted && row ? deletedObservation(row, null, deps.now()) : null;
    if (seen) changed += Number((await observeTask(deps, handoff, s.taskId, seen, source)).length > 0);
  }
  return changed;
}

const TOOL_NAMES: Record<string, string> = { jira: 'Jira', asana: 'Asana' };

/** What "the tool deleted it" looks like as an observation: the rest of the row stays as last seen. */
export function deletedObservation(row: TaskStatusRow, at: string | null, now: Date): ObservedTask {
  // Without the tool's time of the delete, "deleted by now" keeps an earlier slow read from reviving the task.
  return { statusName: `Deleted in ${TOOL_NAMES[row.tool] ?? row.tool}`, category: 'deleted', assignee: row.assignee, dueDate: row.dueDate, updatedAt: at ?? now.toISOString() };
}

/**
 * Applies one observation of a task and everything that follows from a change; returns the changes (none
 * when the observation is older than what is stored). Effects first, then one transaction with the row and
 * its audit lines, committed only over the row it was computed from.
 */
export async function observeTask(deps: JobDeps, handoff: HandoffRow, taskId: string, seen: ObservedTask, source: string): Promise<TaskChange[]> {
  for (let round = 0; round < COMMIT_ROUNDS; round++) {
    const before = await getTaskStatus(deps.store, handoff.id, taskId);
    if (!before) return [];
    if (isStaleObservation(before, seen)) {
      deps.logger.debug({ task: taskId, seen: seen.updatedAt, stored: before.toolUpdatedAt }, 'older observation ignored');
      return [];
    }
    const changes = diffObservedTask(before, seen);
    const lines: AuditLine[] = [];
    if (changes.length > 0) {
      lines.push(changeLine(handoff, before, seen, changes, source));
      await onTaskChanged(deps, handoff, taskId, seen, changes);
      lines.push(...(await reachMilestones(deps, handoff, taskId, before, seen)));
    }
    const committed = await deps.store.db.transaction().execute(async (trx) => {
      const tx = { ...deps.store, db: trx };
      if (!(await commitObservedTask(tx, before, seen, source))) return false;
      for (const line of lines) await appendAudit(tx, line);
      return true;
    });
    if (!committed) continue; // another writer recorded a newer row: compare again
    if (lines.some((l) => (l.data as { milestone?: string } | undefined)?.milestone === 'kickoff' && l.kind === 'milestone.reached')) observeTimeToKickoff(deps, handoff);
    return changes;
  }
  return [];
}

function changeLine(handoff: HandoffRow, before: TaskStatusRow, seen: ObservedTask, changes: TaskChange[], source: string): AuditLine {
  const actor = source === 'webhook' ? `${before.tool}:webhook` : 'worker';
  const task = `Task ${before.taskId}${before.externalKey ? ` (${before.externalKey})` : ''}`;
  if (seen.category === 'deleted') {
    return { handoffId: handoff.id, actor, kind: 'task.deleted', message: `${task} was deleted in ${TOOL_NAMES[before.tool] ?? before.tool}: no longer watched`, data: { task: before.taskId, changes, source } };
  }
  const text = changes.map((c) => `${c.field} ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`).join('; ');
  return { handoffId: handoff.id, actor, kind: 'task.changed', message: `${task}: ${text}`, data: { task: before.taskId, changes, source } };
}

function observeTimeToKickoff(deps: JobDeps, handoff: HandoffRow): void {
  if (!handoff.closedAt) return;
  const seconds = (deps.now().getTime() - Date.parse(handoff.closedAt)) / 1000;
  if (seconds >= 0) deps.metrics?.timeToKickoff.observe({ mapping: handoff.mapping }, seconds);
}
