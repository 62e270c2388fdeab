// `status` queue: what the delivery tools say about a handoff's tasks. Jira and Asana webhooks and a
// periodic poll (reconciliation, for webhooks that never came) all end in observeTask: store the task's
// status / assignee / due date, put changes on the audit trail, resolve or move escalation checks, and
// mark milestones (kickoff done, first deliverable done) on the CRM deal and, when the mapping asks, in
// the client's thread. When the tool can be read live, the webhook is only a hint: the task is re-read.
import type { TaskState } from '../connectors/types.js';
import type { JobDeps } from './job-deps.js';
import { postMessageOnce } from './chat-post-claims.js';
import type { StoredPlan } from './handoff.js';
import type { AsanaStatusJob, JiraStatusJob } from '../src/queue/job-schemas.js';
import { getHandoff, type HandoffRow } from '../src/store/handoff-repo.js';
import { appendAudit } from '../src/store/audit-repo.js';
import { listSteps } from '../src/store/step-repo.js';
import {
  applyObservedTask,
  findTasksByExternal,
  listHandoffsWithOpenTasks,
  listTaskStatus,
  seedTasks,
  type ObservedTask,
  type TaskChange,
  type TaskStatusRow,
} from '../src/store/task-status-repo.js';
import { recordDelivery, pruneDeliveries } from '../src/store/webhook-repo.js';
import { escapeMrkdwn, toOneLine } from '../src/handoff/escape.js';
import { DateTime } from 'luxon';
import { mappingOf, onTaskChanged } from './escalate.js';

const POLL_PAGE = 100;

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
 * Re-reads the handoff's tasks (all, or the given planned ids) from the tool when it is live, applies
 * what changed, and returns the stored rows. Without a live tool the stored rows (webhooks) are returned.
 */
export async function refreshTasks(deps: JobDeps, handoff: HandoffRow, taskIds: string[] | undefined, source: string): Promise<TaskStatusRow[]> {
  const plan = handoff.plan as StoredPlan;
  const tool = deps.workTools[plan.work.tool];
  const pick = (rows: TaskStatusRow[]) => (taskIds ? rows.filter((r) => taskIds.includes(r.taskId)) : rows);
  const rows = pick(await listTaskStatus(deps.store, handoff.id));
  if (tool.mode === 'live' && tool.readTasks && rows.length > 0) {
    const states: TaskState[] = await tool.readTasks(
      rows.map((r) => ({ taskId: r.taskId, externalId: r.externalId, key: r.externalKey })),
      { mapping: handoff.mapping },
    );
    for (const s of states) {
      if (s.found) await observeTask(deps, handoff, s.taskId, { statusName: s.statusName, category: s.category, assignee: s.assignee, dueDate: s.dueDate }, source);
    }
    return pick(await listTaskStatus(deps.store, handoff.id));
  }
  return rows;
}

/** Applies one observation of a task and everything that follows from a change. Returns the changes. */
export async function observeTask(deps: JobDeps, handoff: HandoffRow, taskId: string, seen: ObservedTask, source: string): Promise<TaskChange[]> {
  const applied = await applyObservedTask(deps.store, handoff.id, taskId, seen, source);
  if (!applied || applied.changes.length === 0) return [];
  const { before, changes } = applied;
  const text = changes.map((c) => `${c.field} ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`).join('; ');
  await appendAudit(deps.store, { handoffId: handoff.id, actor: source === 'webhook' ? `${before.tool}:webhook` : 'worker', kind: 'task.changed', message: `Task ${taskId}${before.externalKey ? ` (${before.externalKey})` : ''}: ${text}`, data: { task: taskId, changes, source } });
  await onTaskChanged(deps, handoff, taskId, seen, changes);
  await markMilestone(deps, handoff, taskId, before, seen);
  return changes;
}

const STARTED = new Set(['in_progress', 'done']);

/**
 * Milestone tasks: the kickoff under way is "kickoff scheduled" for the client; kickoff done and first
 * deliverable done go on the CRM deal (baton_status and the date), and the first deliverable done is
 * "delivered" for the client. Client updates only when the mapping's `client_updates` asks.
 */
async function markMilestone(deps: JobDeps, handoff: HandoffRow, taskId: string, before: TaskStatusRow, seen: ObservedTask): Promise<void> {
  const mapping = mappingOf(deps, handoff.mapping);
  const milestone = mapping?.work.tasks.find((t) => t.id === taskId)?.milestone;
  if (!mapping || !milestone) return;
  if (milestone === 'kickoff' && !STARTED.has(before.category) && STARTED.has(seen.category)) await postClientUpdate(deps, handoff, mapping.client_updates?.kickoff, 'kickoff');
  if (before.category === 'done' || seen.category !== 'done') return;
  const plan = handoff.plan as StoredPlan;
  const date = DateTime.fromJSDate(deps.now(), { zone: plan.calendar.timezone }).toISODate() ?? deps.now().toISOString().slice(0, 10);
  const label = milestone === 'kickoff' ? 'Kickoff done' : 'First deliverable done';
  if (deps.crmWriter.writeMilestone) {
    await deps.crmWriter.writeMilestone({ handoffId: handoff.id, idempotencyKey: `${handoff.id}:milestone:${milestone}`, dealId: handoff.dealId, milestone, status: 'kickoff_done', date });
  }
  if (milestone === 'kickoff' && handoff.closedAt) {
    const seconds = (deps.now().getTime() - Date.parse(handoff.closedAt)) / 1000;
    if (seconds >= 0) deps.metrics?.timeToKickoff.observe({ mapping: handoff.mapping }, seconds);
  }
  await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'milestone.reached', message: `${label} (${date})${deps.crmWriter.writeMilestone ? `: ${deps.crmWriter.crm} deal updated${deps.crmWriter.mode === 'dry-run' ? ' (dry-run)' : ''}` : ''}`, data: { milestone, task: taskId, date } });

  if (milestone === 'first_deliverable') await postClientUpdate(deps, handoff, mapping.client_updates?.first_deliverable, milestone);
}

async function postClientUpdate(deps: JobDeps, handoff: HandoffRow, update: string | undefined, milestone: 'kickoff' | 'first_deliverable'): Promise<void> {
  if (!update || !deps.chat.postMessage) return;
  const intro = (await listSteps(deps.store, handoff.id)).find((s) => s.stepId === 'post-intro');
  const channel = typeof intro?.externalIds.channel === 'string' ? intro.externalIds.channel : null;
  const threadTs = typeof intro?.externalIds.threadTs === 'string' ? intro.externalIds.threadTs : null;
  if (!channel || !threadTs) return;
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
  await appendAudit(deps.store, { handoffId: handoff.id, actor: 'worker', kind: 'client.updated', message: `${milestone === 'kickoff' ? 'Kickoff scheduled' : 'First deliverable delivered'}: update posted in the client thread` });
}

/** A Jira webhook: the tasks it names (by issue id or key), re-read live when possible, else as the payload says. */
export async function processJiraStatusJob(deps: JobDeps, job: JiraStatusJob): Promise<string> {
  if (job.deliveryId && !(await recordDelivery(deps.store, 'jira', job.deliveryId))) return 'duplicate delivery';
  const e = job.event;
  const rows = await findTasksByExternal(deps.store, 'jira', { id: e.issueId, key: e.issueKey });
  if (rows.length === 0) return `issue ${e.issueKey ?? e.issueId} is not a task Baton watches`;
  let changed = 0;
  for (const row of rows) {
    const handoff = await getHandoff(deps.store, row.handoffId);
    if (!handoff || handoff.status === 'stopped') continue;
    if (e.kind === 'deleted') {
      await appendAudit(deps.store, { handoffId: handoff.id, actor: 'jira:webhook', kind: 'task.deleted', message: `Task ${row.taskId} (${e.issueKey ?? e.issueId}) was deleted in Jira` });
      continue;
    }
    const tool = deps.workTools.jira;
    if (tool.mode === 'live' && tool.readTasks) {
      const before = row.observedAt;
      await refreshTasks(deps, handoff, [row.taskId], 'webhook');
      changed += Number((await listTaskStatus(deps.store, handoff.id)).some((r) => r.taskId === row.taskId && r.observedAt !== before));
    } else {
      changed += Number((await observeTask(deps, handoff, row.taskId, { statusName: e.statusName, category: e.category, assignee: e.assignee, dueDate: e.dueDate }, 'webhook')).length > 0);
    }
  }
  return `${rows.length} task(s) refreshed, ${changed} changed`;
}

/** An Asana delivery: events are thin, so every named task is re-read. */
export async function processAsanaStatusJob(deps: JobDeps, job: AsanaStatusJob): Promise<string> {
  const handoffs = new Map<string, string[]>();
  for (const gid of job.taskGids) {
    for (const row of await findTasksByExternal(deps.store, 'asana', { id: gid })) handoffs.set(row.handoffId, [...(handoffs.get(row.handoffId) ?? []), row.taskId]);
  }
  for (const [handoffId, taskIds] of handoffs) {
    const handoff = await getHandoff(deps.store, handoffId);
    if (handoff && handoff.status !== 'stopped') await refreshTasks(deps, handoff, taskIds, 'webhook');
  }
  return `${handoffs.size} handoff(s) refreshed`;
}

/**
 * Reconciliation: every handoff with a task not done yet is read from its tool, so a missed webhook costs
 * at most one poll interval. Only live tools are polled.
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
      const before = new Map((await listTaskStatus(deps.store, id)).map((r) => [r.taskId, `${r.category}|${r.assignee}|${r.dueDate}|${r.statusName}`]));
      const rows = await refreshTasks(deps, handoff, undefined, 'poll');
      changed += rows.filter((r) => before.get(r.taskId) !== `${r.category}|${r.assignee}|${r.dueDate}|${r.statusName}`).length;
      handoffs++;
    }
    after = ids.at(-1);
  }
  // Deliveries older than a week cannot be redelivered any more.
  await pruneDeliveries(deps.store, new Date(deps.now().getTime() - 7 * 24 * 3600_000).toISOString());
  return { handoffs, changed };
}
