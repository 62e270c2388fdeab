// The delivery tools' live view of a handoff's tasks (Jira status category, Asana completed), as
// webhooks and polling report it. Seeded when the handoff's checks are scheduled; webhooks find the
// row by the tool's issue/task id or key.
import type { Store } from './database.js';
import { nowIso, storableText } from './column-codecs.js';
import type { TaskCategory } from '../handoff/ports.js';
import type { TaskStatusRecord } from './watch-tables.js';

export interface TaskStatusRow {
  handoffId: string;
  taskId: string;
  tool: string;
  externalId: string;
  externalKey: string | null;
  url: string | null;
  statusName: string | null;
  category: TaskCategory;
  assignee: string | null;
  dueDate: string | null;
  startedAt: string | null;
  doneAt: string | null;
  observedAt: string;
  source: string;
  /** When the tool last changed the task, as far as Baton knows (ISO-8601 UTC). */
  toolUpdatedAt: string | null;
  revision: number;
  /** When Baton learned the tool deleted the task; such a task is no longer polled. */
  deletedAt: string | null;
}

function toRow(r: TaskStatusRecord): TaskStatusRow {
  return {
    handoffId: r.handoff_id,
    taskId: r.task_id,
    tool: r.tool,
    externalId: r.external_id,
    externalKey: r.external_key,
    url: r.url,
    statusName: r.status_name,
    category: r.category,
    assignee: r.assignee,
    dueDate: r.due_date,
    startedAt: r.started_at,
    doneAt: r.done_at,
    observedAt: r.observed_at,
    source: r.source,
    toolUpdatedAt: r.tool_updated_at,
    revision: r.revision,
    deletedAt: r.deleted_at,
  };
}

/** Records the tasks the work tool created (category unknown until the tool says); existing rows are kept. */
export async function seedTasks(
  store: Store,
  handoffId: string,
  tool: string,
  tasks: { taskId: string; externalId: string; externalKey: string | null; url: string | null; assignee: string | null; dueDate: string | null }[],
): Promise<void> {
  if (tasks.length === 0) return;
  const now = nowIso();
  await store.db
    .insertInto('task_status')
    .values(
      tasks.map((t) => ({
        handoff_id: handoffId,
        task_id: t.taskId,
        tool,
        external_id: t.externalId,
        external_key: t.externalKey,
        url: t.url,
        status_name: null,
        category: 'unknown' as const,
        assignee: t.assignee,
        due_date: t.dueDate,
        started_at: null,
        done_at: null,
        observed_at: now,
        source: 'created',
        tool_updated_at: null,
        deleted_at: null,
      })),
    )
    .onConflict((oc) => oc.columns(['handoff_id', 'task_id']).doNothing())
    .execute();
}

export async function listTaskStatus(store: Store, handoffId: string): Promise<TaskStatusRow[]> {
  const rows = await store.db.selectFrom('task_status').selectAll().where('handoff_id', '=', handoffId).orderBy('task_id').execute();
  return rows.map(toRow);
}

export async function getTaskStatus(store: Store, handoffId: string, taskId: string): Promise<TaskStatusRow | null> {
  const r = await store.db.selectFrom('task_status').selectAll().where('handoff_id', '=', handoffId).where('task_id', '=', taskId).executeTakeFirst();
  return r ? toRow(r) : null;
}

/** The rows a webhook's issue/task refers to (by id, or by key for Jira). */
export async function findTasksByExternal(store: Store, tool: string, ref: { id?: string | null; key?: string | null }): Promise<TaskStatusRow[]> {
  if (!ref.id && !ref.key) return [];
  const rows = await store.db
    .selectFrom('task_status')
    .selectAll()
    .where('tool', '=', tool)
    .where((eb) => eb.or([...(ref.id ? [eb('external_id', '=', ref.id)] : []), ...(ref.key ? [eb('external_key', '=', ref.key)] : [])]))
    .execute();
  return rows.map(toRow);
}

export interface ObservedTask {
  statusName: string | null;
  category: TaskCategory;
  assignee: string | null;
  dueDate: string | null;
  /** When the tool last changed the task (its own clock); null when the tool did not say. */
  updatedAt?: string | null;
}

export interface TaskChange {
  field: 'status' | 'assignee' | 'due';
  from: string | null;
  to: string | null;
}

/**
 * An observation older than what is stored (by the tool's own clock): a slow read or a late delivery that
 * must not roll the task back. Observations without a time are never stale.
 */
export function isStaleObservation(before: TaskStatusRow, seen: ObservedTask): boolean {
  return !!seen.updatedAt && !!before.toolUpdatedAt && Date.parse(seen.updatedAt) < Date.parse(before.toolUpdatedAt);
}

/** What an observation changes (status category/name, assignee, due date) against the stored row. */
export function diffObservedTask(before: TaskStatusRow, seen: ObservedTask): TaskChange[] {
  const changes: TaskChange[] = [];
  if (before.category !== seen.category || (seen.statusName !== null && before.statusName !== seen.statusName)) {
    changes.push({ field: 'status', from: before.statusName ?? before.category, to: seen.statusName ?? seen.category });
  }
  if (before.assignee !== seen.assignee) changes.push({ field: 'assignee', from: before.assignee, to: seen.assignee });
  if (before.dueDate !== seen.dueDate) changes.push({ field: 'due', from: before.dueDate, to: seen.dueDate });
  return changes;
}

/**
 * Stores an observation over the revision it was computed from (compare-and-set): false when another
 * writer got there first, and nothing is written. started_at / done_at record when Baton first saw the
 * task started / done; tool_updated_at only moves forward. Pass a transaction's store to commit it with
 * other writes (the audit lines, the delivery mark).
 */
export async function commitObservedTask(store: Store, before: TaskStatusRow, seen: ObservedTask, source: string): Promise<boolean> {
  const now = nowIso();
  const newer = seen.updatedAt && (!before.toolUpdatedAt || Date.parse(seen.updatedAt) > Date.parse(before.toolUpdatedAt)) ? seen.updatedAt : before.toolUpdatedAt;
  const r = await store.db
    .updateTable('task_status')
    .set({
      status_name: seen.statusName === null ? before.statusName : storableText(seen.statusName),
      category: seen.category,
      assignee: seen.assignee === null ? null : storableText(seen.assignee),
      due_date: seen.dueDate,
      started_at: before.startedAt ?? (seen.category === 'in_progress' || seen.category === 'done' ? now : null),
      done_at: seen.category === 'done' ? (before.doneAt ?? now) : null,
      observed_at: now,
      source,
      tool_updated_at: newer,
      deleted_at: seen.category === 'deleted' ? (before.deletedAt ?? now) : null,
      revision: before.revision + 1,
    })
    .where('handoff_id', '=', before.handoffId)
    .where('task_id', '=', before.taskId)
    .where('revision', '=', before.revision)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Handoffs still being watched (not stopped) that have at least one task neither done nor deleted: what the periodic
 * reconciliation polls. Keyset-paged by handoff id.
 */
export async function listHandoffsWithOpenTasks(store: Store, q: { after?: string; limit: number }): Promise<string[]> {
  let query = store.db
    .selectFrom('task_status')
    .innerJoin('handoffs', 'handoffs.id', 'task_status.handoff_id')
    .select('task_status.handoff_id')
    .distinct()
    .where('task_status.category', 'not in', ['done', 'deleted'])
    .where('handoffs.status', '!=', 'stopped');
  if (q.after) query = query.where('task_status.handoff_id', '>', q.after);
  const rows = await query.orderBy('task_status.handoff_id').limit(q.limit).execute();
  return rows.map((r) => r.handoff_id);
}
