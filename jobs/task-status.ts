// `status` queue: what the delivery tools say about a handoff's tasks. Jira and Asana webhooks and a
// periodic poll (reconciliation, for webhooks that never came) all end in observeTask: store the task's
// status / assignee / due date, put changes on the audit trail, resolve or move escalation checks, and
// mark milestones (kickoff done, first deliverable done) on the CRM deal and, when the mapping asks, in
// the client's thread. When the tool can be read live, the webhook is only a hint: the task is re-read.
//
// Handled means committed (DESIGN invariant 8): the external effects of a change run first (each idempotent:
// a milestone is a PATCH of the same properties, a client update is a keyed post), then the task row, its
// audit lines and — last — the delivery id are written. A failure anywhere leaves the row as it was, so the
// retry sees the same change and re-runs the effects. Older observations (by the tool's own clock: Jira
// `updated`, Asana `modified_at`) never overwrite newer state, whether from a late delivery or a slow poll.
import type { TaskState } from '../src/handoff/ports.js';
import type { JobDeps } from './job-deps.js';
import { postMessageOnce } from './chat-post-claims.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { AsanaStatusJob, JiraStatusJob } from '../src/queue/job-schemas.js';
import { getHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { listSteps } from '../src/store/step-repo.js';
import {
  commitObservedTask,
  diffObservedTask,
  findTasksByExternal,
  getTaskStatus,
  isStaleObservation,
  listHandoffsWithOpenTasks,
  listTaskStatus,
  seedTasks,
  type ObservedTask,
  type TaskChange,
  type TaskStatusRow,
} from '../src/store/task-status-repo.js';
import { isDeliveryHandled, recordDelivery } from '../src/store/webhook-repo.js';
import { escapeMrkdwn, toOneLine } from '../src/handoff/escape.js';
import { DateTime } from 'luxon';
import { onTaskChanged } from './escalate.js';
import { mappingOf } from './mapping-of.js';

const POLL_PAGE = 100;
/** Compare-and-set rounds before leaving an observation to the writer that keeps winning (it records the change). */
const COMMIT_ROUNDS = 3;

type AuditLine = Parameters<typeof appendAudit>[1];

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
async function readAndObserve(deps: JobDeps, handoff: HandoffRow, taskIds: string[] | undefined, source: string): Promise<number> {
  const tool = deps.workTools[(handoff.plan as StoredPlan).work.tool];
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
function deletedObservation(row: TaskStatusRow, at: string | null, now: Date): ObservedTask {
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

const STARTED = new Set(['in_progress', 'done']);

/**
 * Milestone tasks: the kickoff under way is "kickoff scheduled" for the client; kickoff done and first
 * deliverable done go on the CRM deal (baton_status and the date), and the first deliverable done is
 * "delivered" for the client. Client updates only when the mapping's `client_updates` asks. Every call here
 * is idempotent (a PATCH of the same properties, a post keyed per handoff and milestone), so a retry after a
 * partial success repeats nothing visible; returns the audit lines to commit with the task row.
 */
async function reachMilestones(deps: JobDeps, handoff: HandoffRow, taskId: string, before: TaskStatusRow, seen: ObservedTask): Promise<AuditLine[]> {
  const mapping = mappingOf(deps, handoff.mapping);
  const milestone = mapping?.work.tasks.find((t) => t.id === taskId)?.milestone;
  if (!mapping || !milestone) return [];
  const lines: AuditLine[] = [];
  if (milestone === 'kickoff' && !STARTED.has(before.category) && STARTED.has(seen.category)) lines.push(...(await postClientUpdate(deps, handoff, mapping.client_updates?.kickoff, 'kickoff')));
  if (before.category === 'done' || seen.category !== 'done') return lines;
  const plan = handoff.plan as StoredPlan;
  // The day the tool says the task was done (a retry on a later day writes the same date).
  const doneAt = seen.updatedAt ? new Date(seen.updatedAt) : deps.now();
  const date = DateTime.fromJSDate(doneAt, { zone: plan.calendar.timezone }).toISODate() ?? doneAt.toISOString().slice(0, 10);
  const label = milestone === 'kickoff' ? 'Kickoff done' : 'First deliverable done';
  if (deps.crmWriter.writeMilestone) {
    await deps.crmWriter.writeMilestone({ handoffId: handoff.id, idempotencyKey: `${handoff.id}:milestone:${milestone}`, dealId: handoff.dealId, milestone, status: 'kickoff_done', date });
  }
  lines.push({ handoffId: handoff.id, actor: 'worker', kind: 'milestone.reached', message: `${label} (${date})${deps.crmWriter.writeMilestone ? `: ${deps.crmWriter.crm} deal updated${deps.crmWriter.mode === 'dry-run' ? ' (dry-run)' : ''}` : ''}`, data: { milestone, task: taskId, date } });
  if (milestone === 'first_deliverable') lines.push(...(await postClientUpdate(deps, handoff, mapping.client_updates?.first_deliverable, milestone)));
  return lines;
}

async function postClientUpdate(deps: JobDeps, handoff: HandoffRow, update: string | undefined, milestone: 'kickoff' | 'first_deliverable'): Promise<AuditLine[]> {
  if (!update || !deps.chat.postMessage) return [];
  const intro = (await listSteps(deps.store, handoff.id)).find((s) => s.stepId === 'post-intro');
  const channel = typeof intro?.externalIds.channel === 'string' ? intro.externalIds.channel : null;
  const threadTs = typeof intro?.externalIds.threadTs === 'string' ? intro.externalIds.threadTs : null;
  if (!channel || !threadTs) return [];
  await postMessageOnce(deps, {
    handoffId: handoff.id,
    idempotencyKey: `${handoff.id}:client-update:${milestone}`,
    channel,
    threadTs,
    // Admin-written text, still escaped: the client sees exactly what the mapping says.
    text: escapeMrkdwn(toOneLine(update)),
    metadataType: 'baton_client_update',
    metadata: { handoff_id: handoff.id, milestone },
  });
  return [{ handoffId: handoff.id, actor: 'worker', kind: 'client.updated', message: `${milestone === 'kickoff' ? 'Kickoff scheduled' : 'First deliverable delivered'}: update posted in the client thread` }];
}

/**
 * A Jira webhook: the tasks it names (by issue id or key), re-read live when possible, else as the payload
 * says; a deleted issue stops being watched. The delivery id is recorded only after every effect committed.
 */
export async function processJiraStatusJob(deps: JobDeps, job: JiraStatusJob): Promise<string> {
  if (job.deliveryId && (await isDeliveryHandled(deps.store, 'jira', job.deliveryId))) return 'duplicate delivery';
  const e = job.event;
  const rows = await findTasksByExternal(deps.store, 'jira', { id: e.issueId, key: e.issueKey });
  let changed = 0;
  for (const row of rows) {
    const handoff = await getHandoff(deps.store, row.handoffId);
    if (!handoff || handoff.status === 'stopped') continue;
    const tool = deps.workTools.jira;
    if (e.kind === 'deleted') {
      changed += Number((await observeTask(deps, handoff, row.taskId, deletedObservation(row, e.updatedAt ?? null, deps.now()), 'webhook')).length > 0);
    } else if (tool.mode === 'live' && tool.readTasks) {
      changed += await readAndObserve(deps, handoff, [row.taskId], 'webhook');
    } else {
      const seen = { statusName: e.statusName, category: e.category, assignee: e.assignee, dueDate: e.dueDate, updatedAt: e.updatedAt ?? null };
      changed += Number((await observeTask(deps, handoff, row.taskId, seen, 'webhook')).length > 0);
    }
  }
  if (job.deliveryId) await recordDelivery(deps.store, 'jira', job.deliveryId);
  if (rows.length === 0) return `issue ${e.issueKey ?? e.issueId} is not a task Baton watches`;
  return `${rows.length} task(s) refreshed, ${changed} changed`;
}

/** An Asana delivery: events are thin, so every named task is re-read (a deleted one answers 404). */
export async function processAsanaStatusJob(deps: JobDeps, job: AsanaStatusJob): Promise<string> {
  const handoffs = new Map<string, string[]>();
  for (const gid of job.taskGids) {
    for (const row of await findTasksByExternal(deps.store, 'asana', { id: gid })) handoffs.set(row.handoffId, [...(handoffs.get(row.handoffId) ?? []), row.taskId]);
  }
  for (const [handoffId, taskIds] of handoffs) {
    const handoff = await getHandoff(deps.store, handoffId);
    if (handoff && handoff.status !== 'stopped') await readAndObserve(deps, handoff, taskIds, 'webhook');
  }
  return `${handoffs.size} handoff(s) refreshed`;
}

/**
 * Reconciliation: every handoff with a task neither done nor deleted is read from its tool, so a missed
 * webhook costs at most one poll interval. Only live tools are polled; a read older than the stored state
 * (a webhook got there first) changes nothing.
 */
export async function processPollJob(deps: JobDeps): Promise<{ handoffs: number; changed: number }> {
  let after: string | undefined;
  let handoffs = 0;
  let changed = 0;
  for (;;) {
    const ids = await listHandoffsWithOpenTasks(deps.store, { after, limit: POLL_PAGE });
    if (ids.length === 0) break;
    for (const id of ids) {
      const handoff = await getHandoff(deps.store, id);
      if (!handoff) continue;
      const tool = deps.workTools[(handoff.plan as StoredPlan).work.tool];
      if (tool.mode !== 'live' || !tool.readTasks) continue;
      changed += await readAndObserve(deps, handoff, undefined, 'poll');
      handoffs++;
    }
    after = ids.at(-1);
  }
  return { handoffs, changed };
}
