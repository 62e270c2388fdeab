// Live status of the Asana tasks Baton created, for the watcher: GET /tasks/{gid} with the few fields it
// needs. "Done" is Asana's `completed`; Asana has no "in progress" state, so an open task reads as todo
// (an escalation `unless: task.x.started` on Asana resolves when the task is completed).
import { isPermanent } from '../errors.js';
import type { TaskRef, TaskState } from '../types.js';
import type { AsanaClient } from './asana-client.js';

const FIELDS = 'name,completed,assignee.email,assignee.name,due_on,due_at,permalink_url';

export async function readAsanaTasks(api: AsanaClient, refs: TaskRef[], ctx: { mapping: string }): Promise<TaskState[]> {
  const out: TaskState[] = [];
  for (const ref of refs) {
    const missing: TaskState = { taskId: ref.taskId, externalId: ref.externalId, found: false, statusName: null, category: 'unknown', assignee: null, dueDate: null, url: null };
    if (!/^\d{1,30}$/.test(ref.externalId)) {
      out.push(missing);
      continue;
    }
    let data: Record<string, unknown>;
    try {
      const res = await api.call({ operation: `reading task ${ref.externalId} (${ref.taskId})`, mapping: ctx.mapping }, () => api.tasks.getTask(ref.externalId, { opt_fields: FIELDS }));
      data = (res as { data: Record<string, unknown> }).data ?? {};
    } catch (err) {
      // Deleted, or the token may no longer see it: nothing live to report. Retryable failures propagate.
      if (isPermanent(err)) {
        out.push(missing);
        continue;
      }
      throw err;
    }
    const assignee = (data.assignee ?? null) as { email?: string; name?: string } | null;
    const completed = data.completed === true;
    const dueAt = typeof data.due_at === 'string' ? data.due_at.slice(0, 10) : null;
    out.push({
      taskId: ref.taskId,
      externalId: ref.externalId,
      found: true,
      statusName: completed ? 'Completed' : 'Open',
      category: completed ? 'done' : 'todo',
      assignee: assignee?.email || assignee?.name || null,
      dueDate: typeof data.due_on === 'string' ? data.due_on : dueAt,
      url: typeof data.permalink_url === 'string' ? data.permalink_url : null,
    });
  }
  return out;
}
