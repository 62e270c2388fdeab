// The live Asana work tool: a handoff's WorkPlan becomes a project (plain, from a template, or a section in an
// existing project; see work-target.ts), one task per planned task with assignee (by email), due_on and notes,
// and dependencies (a task depends on its `after` tasks). Retries never duplicate: saved progress first, then
// the markers (markers.ts), then create.
import type { Logger } from 'pino';
import { renderDocumentMarkdown } from '../../src/handoff/render-markdown.js';
import type { PlannedTask } from '../../src/handoff/types.js';
import { PermanentError } from '../../src/handoff/errors.js';
import type { CircuitBreaker } from '../common/circuit-breaker.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import type { CreatedWork, CreateWorkRequest, WorkToolConnector } from '../../src/handoff/ports.js';
import { createAsanaClient } from './asana-client.js';
import { readAsanaTasks } from './read-task-status.js';
import { ensureParent, type Parent } from './asana-parent.js';
import { preflightAsana, type AsanaPreflightRequest, type PreflightProblem } from './asana-preflight.js';
import type { AsanaErrorContext } from './classify-error.js';
import { asanaTaskBody } from './task-body.js';
import { KEY, savedFlag, savedTask, type SavedTask } from './saved-progress.js';
import { findBatonTasks, type FoundTask } from './task-search.js';
import { parseWorkTarget } from './work-target.js';

export interface AsanaWorkToolOptions {
  accessToken: string;
  baseUrl: string;
  workspaceGid?: string;
  limiter: RateLimiter;
  requestsPerSecond: number;
  timeoutMs: number;
  logger?: Logger;
  /** Shared circuit breaker (connectors/common/circuit-breaker.ts); none when absent. */
  breaker?: CircuitBreaker;
  /** Pause between GET /jobs polls while a template instantiates (default 1 s). */
  jobPollIntervalMs?: number;
  /** Longest one attempt waits for a template job before handing back to the queue; the job gid is saved (default 30 s). */
  jobWaitMs?: number;
  /** Clock for template date variables (tests). */
  now?: () => Date;
}

export type AsanaWorkTool = WorkToolConnector & {
  preflight(req: AsanaPreflightRequest): Promise<PreflightProblem[]>;
};

/** Asana's cap on dependencies + dependents per task. */
export const MAX_DEPENDENCIES_PER_CALL = 30;
/** An email Asana rejected as assignee is not offered again for this long (saves a 400 per task). */
const UNKNOWN_ASSIGNEE_TTL_MS = 10 * 60 * 1000;
/** Task fields Baton sets itself; a mapping's task `fields` may add others (custom_fields, followers, tags…). */

export function createAsanaWorkTool(opts: AsanaWorkToolOptions): AsanaWorkTool {
  const api = createAsanaClient(opts);
  const unknownAssignees = new Map<string, number>();
  // external.gid needs an OAuth app; with a personal access token Asana may refuse it. Then the notes footer
  // alone marks tasks, and external is not sent again by this process.
  let sendExternal = true;

  async function createWork(req: CreateWorkRequest): Promise<CreatedWork> {
    const target = parseWorkTarget(req.plan.project);
    const document = renderDocumentMarkdown(req.document);
    const parent = await ensureParent(
      {
        api,
        req,
        document,
        workspaceGid: opts.workspaceGid,
        jobPollIntervalMs: opts.jobPollIntervalMs ?? 1_000,
        jobWaitMs: opts.jobWaitMs ?? 30_000,
        now: opts.now ?? (() => new Date()),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      },
      target,
    );

    const saved = req.progress.saved;
    const unsaved = req.plan.tasks.filter((t) => !savedTask(saved, t.id));
    // A parent made in this attempt cannot hold tasks of this handoff yet; otherwise look for their markers.
    const found =
      parent.fresh || unsaved.length === 0
        ? new Map<string, FoundTask>()
        : (parent.found ?? (await findBatonTasks(api, ctxFor(req, 'looking for the tasks of an earlier attempt'), parent.project.gid, req)));

    const created = new Map<string, SavedTask>();
    for (const [index, task] of req.plan.tasks.entries()) {
      created.set(task.id, await ensureTask(req, parent, task, index === 0, document, found));
    }
    await linkDependencies(req, created);

    const tasks: CreatedWork['tasks'] = {};
    const notes: string[] = [];
    for (const [id, t] of created) {
      tasks[id] = { id: t.gid, key: null, url: t.url, assignee: t.assignee };
      if (t.note) notes.push(t.note);
    }
    const projectUrl = parent.project.url ?? `https://app.asana.com/0/${parent.project.gid}/list`;
    return { parent: { id: parent.sectionGid ?? parent.project.gid, key: null, url: projectUrl }, tasks, notes };
  }

  async function ensureTask(
    req: CreateWorkRequest,
    parent: Parent,
    task: PlannedTask,
    first: boolean,
    document: string,
    found: Map<string, FoundTask>,
  ): Promise<SavedTask> {
    const earlier = savedTask(req.progress.saved, task.id);
    if (earlier) return earlier;
    const hit = found.get(task.id);
    if (hit) {
      const unassigned = task.assigneeEmail !== null && !hit.assigned;
      const t: SavedTask = {
        gid: hit.gid,
        url: hit.url,
        assignee: unassigned ? null : task.assigneeEmail,
        note: unassigned ? unassignedNote(task) : null,
      };
      await req.progress.save({ [KEY.task(task.id)]: t });
      return t;
    }

    const email = task.assigneeEmail;
    const body = asanaTaskBody({
      task,
      handoffId: req.handoffId,
      mapping: req.mapping,
      projectGid: parent.project.gid,
      sectionGid: parent.sectionGid,
      // In an existing project the document has no project description to live in: the first task carries it.
      document: parent.sectionGid && first ? document : null,
      assignee: email && !isKnownUnknown(email) ? email : null,
      external: sendExternal,
    });
    let note: string | null = email && body.assignee === undefined ? unassignedNote(task) : null;

    const ctx = ctxFor(req, `creating task "${task.id}" (${task.summary.slice(0, 80)})`);
    let res: { data: Record<string, unknown> } | undefined;
    while (!res) {
      try {
        res = await api.call(ctx, () => api.tasks.createTask({ data: body }, { opt_fields: 'name,assignee,permalink_url' }));
      } catch (err) {
        if (err instanceof PermanentError && typeof body.assignee === 'string' && rejectsAssignee(err, body.assignee)) {
          // An email Asana does not know: the task is still created, unassigned, and the handoff says so.
          unknownAssignees.set(body.assignee, Date.now() + UNKNOWN_ASSIGNEE_TTL_MS);
          opts.logger?.info({ connector: 'asana', task: task.id }, 'assignee unknown to Asana; creating the task unassigned');
          delete body.assignee;
          note = unassignedNote(task);
          continue;
        }
        if (err instanceof PermanentError && body.external !== undefined && (err.field ?? '').startsWith('external')) {
          sendExternal = false;
          opts.logger?.warn({ connector: 'asana' }, 'Asana refused external data (needs an OAuth app); marking tasks by notes only');
          delete body.external;
          continue;
        }
        throw err;
      }
    }
    const gid = typeof res.data.gid === 'string' ? res.data.gid : '';
    if (!gid) throw new PermanentError(`Asana created task "${task.id}" but returned no gid`, 'asana');
    const t: SavedTask = {
      gid,
      url: typeof res.data.permalink_url === 'string' ? res.data.permalink_url : `https://app.asana.com/0/${parent.project.gid}/${gid}`,
      assignee: typeof body.assignee === 'string' ? body.assignee : null,
      note,
    };
    await req.progress.save({ [KEY.task(task.id)]: t });
    return t;
  }

  /** Each task depends on its `after` tasks (they block it). Adding a dependency twice is harmless in Asana. */
  async function linkDependencies(req: CreateWorkRequest, created: Map<string, SavedTask>): Promise<void> {
    for (const task of req.plan.tasks) {
      if (task.after.length === 0 || savedFlag(req.progress.saved, KEY.deps(task.id))) continue;
      const self = created.get(task.id);
      if (!self) continue;
      const blockers = task.after.map((id) => created.get(id)?.gid).filter((g): g is string => g !== undefined);
      for (let i = 0; i < blockers.length; i += MAX_DEPENDENCIES_PER_CALL) {
        const dependencies = blockers.slice(i, i + MAX_DEPENDENCIES_PER_CALL);
        await api.call(ctxFor(req, `making task "${task.id}" depend on ${task.after.join(', ')}`), () =>
          api.tasks.addDependenciesForTask({ data: { dependencies } }, self.gid),
        );
      }
      await req.progress.save({ [KEY.deps(task.id)]: true });
    }
  }

  function isKnownUnknown(email: string): boolean {
    const until = unknownAssignees.get(email);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    unknownAssignees.delete(email);
    return false;
  }

  return {
    tool: 'asana',
    mode: 'live',
    createWork,
    readTasks: (refs, ctx) => readAsanaTasks(api, refs, ctx),
    preflight: (req) => preflightAsana(api, { workspaceGid: opts.workspaceGid }, req),
  };
}

function ctxFor(req: CreateWorkRequest, operation: string): AsanaErrorContext {
  return { operation, mapping: req.mapping, target: req.plan.project };
}

function rejectsAssignee(err: PermanentError, email: string): boolean {
  return err.field === 'assignee' || err.message.includes(email);
}

function unassignedNote(task: PlannedTask): string {
  return `No Asana user for ${task.assigneeEmail ?? 'the assignee'}${task.assigneeRole ? ` (${task.assigneeRole})` : ''}: task "${task.summary}" was left unassigned`;
}
