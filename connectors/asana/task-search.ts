// Finds the tasks an earlier attempt of this handoff created in a project: one paginated listing of the
// project's tasks (cheaper than one GET /tasks/external:<gid> per planned task), matched on either marker.
import type { CreateWorkRequest } from '../../src/handoff/ports.js';
import type { AsanaClient } from './asana-client.js';
import type { AsanaErrorContext } from './classify-error.js';
import { hasRef, taskExternalGid, taskRef } from './markers.js';

export interface FoundTask {
  gid: string;
  url: string | null;
  assigned: boolean;
  sectionGid: string | null;
}

type AsanaRecord = Record<string, unknown>;
const rec = (v: unknown): AsanaRecord => (typeof v === 'object' && v !== null ? (v as AsanaRecord) : {});

/** Planned task id → the Asana task that carries its marker. */
export async function findBatonTasks(
  api: AsanaClient,
  ctx: AsanaErrorContext,
  projectGid: string,
  req: Pick<CreateWorkRequest, 'handoffId' | 'plan'>,
): Promise<Map<string, FoundTask>> {
  const wanted = new Map<string, string>();
  const refs = new Map<string, string>();
  for (const t of req.plan.tasks) {
    wanted.set(taskExternalGid(req.handoffId, t.id), t.id);
    refs.set(t.id, taskRef(req.handoffId, t.id));
  }
  const tasks = await api.all<AsanaRecord>(ctx, (offset) =>
    api.tasks.getTasksForProject(projectGid, {
      limit: 100,
      offset,
      opt_fields: 'name,notes,external,assignee,permalink_url,memberships.section',
    }),
  );
  const found = new Map<string, FoundTask>();
  for (const task of tasks) {
    const gid = typeof task.gid === 'string' ? task.gid : null;
    if (!gid) continue;
    const external = rec(task.external).gid;
    let taskId = typeof external === 'string' ? wanted.get(external) : undefined;
    if (taskId === undefined) {
      for (const [id, ref] of refs) {
        if (hasRef(task.notes, ref)) {
          taskId = id;
          break;
        }
      }
    }
    if (taskId === undefined || found.has(taskId)) continue;
    const memberships = Array.isArray(task.memberships) ? task.memberships : [];
    const section = memberships.map((m) => rec(rec(m).section).gid).find((g): g is string => typeof g === 'string');
    found.set(taskId, {
      gid,
      url: typeof task.permalink_url === 'string' ? task.permalink_url : null,
      assigned: task.assignee !== null && task.assignee !== undefined,
      sectionGid: section ?? null,
    });
  }
  return found;
}
