// Live status of the Asana tasks Baton created, for the watcher: GET /tasks/{gid} with the few fields it
// needs. "Done" is Asana's `completed`; Asana has no "in progress" state, so an open task reads as todo
// (an escalation `unless: task.x.started` on Asana resolves when the task is completed). A 404 means the
// task was deleted; `modified_at` orders what Baton learns about it.
import { isPermanent } from '../../src/handoff/errors.js';
import type { TaskRef, TaskState } from '../../src/handoff/ports.js';
import type { AsanaClient } from './asana-client.js';
import { describeAsanaFailure } from './classify-error.js';

const FIELDS = 'name,completed,assignee.email,assignee.name,due_on,due_at,permalink_url,modified_at';
/** Read by one task: a 404 is an answer here (the task is gone), not a failure. An object: the client checks every answer is one. */
const GONE: Readonly<{ gone: true }> = Object.freeze({ gone: true });

export async function readAsanaTasks(api: AsanaClient, refs: TaskRef[], ctx: { mapping: string }): Promise<TaskState[]> {
  const out: TaskState[] = [];
  for (const ref of refs) {
    const missing = (deleted: boolean): TaskState => ({ taskId: ref.taskId, externalId: ref.externalId, found: false, deleted, statusName: null, category: 'unknown', assignee: null, dueDate: null, updatedAt: null, url: null });
    if (!/^\d{1,30}$/.test(ref.externalId)) {
      out.push(missing(false));
      continue;
    }
    let data: Record<string, unknown>;
    try {
      const res = await api.call({ operation: `reading task ${ref.externalId} (${ref.taskId})`, mapping: ctx.mapping }, () =>
        api.tasks.getTask(ref.externalId, { opt_fields: FIELDS }).catch((e: unknown) => {
          if (describeAsanaFailure(e).status === 404) return GONE;
          throw e;
        }),
      );
      if (res === GONE) {
        out.push(missing(true));
        continue;
      }
      data = (res as { data: Record<string, unknown> }).data ?? {};
    } catch (err) {
      // The token may no longer see it (403…): nothing live to report, and no sign it is gone. Retryable failures propagate.
      if (isPermanent(err)) {
        out.push(missing(false));
        continue;
      }
      throw err;
    }
    const assignee = (data.assignee ?? null) as { email?: string; name?: string } | null;
    const completed = data.completed === true;
    const dueAt = typeof data.due_at === 'string' ? data.due_at.slice(0, 10) : null;
    const modified = typeof data.modified_at === 'string' ? Date.parse(data.modified_at) : NaN;
    out.push({
      taskId: ref.taskId,
      externalId: ref.externalId,
      found: true,
      deleted: false,
      statusName: completed ? 'Completed' : 'Open',
      category: completed ? 'done' : 'todo',
      assignee: assignee?.email || assignee?.name || null,
      dueDate: typeof data.due_on === 'string' ? data.due_on : dueAt,
      updatedAt: Number.isFinite(modified) ? new Date(modified).toISOString() : null,
      url: typeof data.permalink_url === 'string' ? data.permalink_url : null,
    });
  }
  return out;
}
