// `status` queue: what the delivery tools say about a handoff's tasks. Jira and Asana webhooks and a
// periodic poll (reconciliation, for webhooks that never came) all end in observeTask (observe-task.ts, which
// says how a change is committed). When the tool can be read live, the webhook is only a hint: the task is re-read.
import type { JobDeps } from './job-deps.js';
import type { StoredPlan } from '../src/mapping/build-handoff.js';
import type { AsanaStatusJob, JiraStatusJob } from '../src/queue/job-schemas.js';
import { getHandoff } from '../src/store/handoff-repo.js';
import { findTasksByExternal, listHandoffsWithOpenTasks } from '../src/store/task-status-repo.js';
import { isDeliveryHandled, recordDelivery } from '../src/store/webhook-repo.js';
import { deletedObservation, observeTask, readAndObserve } from './observe-task.js';

const POLL_PAGE = 100;

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
    const tool = deps.connectors.workTool('jira');
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
      const tool = deps.connectors.workTool((handoff.plan as StoredPlan).work.tool);
      if (tool.mode !== 'live' || !tool.readTasks) continue;
      changed += await readAndObserve(deps, handoff, undefined, 'poll');
      handoffs++;
    }
    after = ids.at(-1);
  }
  return { handoffs, changed };
}
