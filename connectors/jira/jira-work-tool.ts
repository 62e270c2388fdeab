// The WorkToolConnector for Jira Cloud (REST v3 through jira.js v5). createWork turns a handoff's WorkPlan
// into one parent issue (Epic), one issue per task (bulk-created) and "Blocks" links, without duplicates
// under retries: progress saved by earlier attempts comes first, then the marker-label search, and only
// what is still missing is created — once Jira's search can be trusted to show a create whose answer was
// lost (ambiguous-create.ts). All I/O, no business rules.
import { z } from 'zod';
import { PermanentError } from '../../src/handoff/errors.js';
import type { CreatedWork, CreateWorkRequest, WorkToolConnector } from '../../src/handoff/ports.js';
import { awaitSearchSettled, DEFAULT_SEARCH_SETTLE_MS, sendCreate } from './ambiguous-create.js';
import { bulkCreateTasks, type BulkItem } from './bulk-create-tasks.js';
import { CONNECTOR } from './classify-error.js';
import { blocksLinkExists, findMarkedIssues, type FoundIssue } from './find-marked-issues.js';
import { parentCreate, taskCreate } from './issue-payloads.js';
import { createJiraCall, type JiraCall, type JiraClientOptions } from './jira-client.js';
import { readJiraTasks } from './read-task-status.js';
import { linkId } from './markers.js';
import { runPreflight, type JiraPreflightRequest } from './preflight.js';
import { createProjectDirectory } from './project-directory.js';
import { resolveIssueTypes } from './project-style.js';
import { createUserDirectory } from './user-directory.js';

export type { JiraPreflightRequest } from './preflight.js';

/** The client's options (jira-client.ts) plus the connector's caches. */
export interface JiraOptions extends JiraClientOptions {
  /** How long email → accountId answers (and project metadata) are reused. Default 10 minutes. */
  userCacheMs?: number;
  /** How long after a create whose answer was lost a miss in Jira's search is not yet trusted. Default 60 s. */
  searchSettleMs?: number;
}

export type JiraWorkTool = WorkToolConnector & {
  preflight(req: JiraPreflightRequest): Promise<{ problem: string; fix: string }[]>;
};

const SavedRef = z.object({ id: z.string(), key: z.string().nullable(), url: z.string().nullable() });
const SavedTask = SavedRef.extend({ assignee: z.string().nullable() });
const SavedProgress = z.object({
  parent: SavedRef.optional().catch(undefined),
  tasks: z.record(z.string(), SavedTask).optional().catch(undefined),
  links: z.array(z.string()).optional().catch(undefined),
  /** Set while a create call is out (ambiguous-create.ts); null once its answer is recorded. */
  parentSentAt: z.string().nullable().optional().catch(undefined),
  tasksSentAt: z.string().nullable().optional().catch(undefined),
});

export function createJiraWorkTool(opts: JiraOptions): JiraWorkTool {
  const call = createJiraCall(opts);
  const users = createUserDirectory(call, opts.userCacheMs);
  const projects = createProjectDirectory(call, opts.userCacheMs);
  const browse = (key: string) => `${call.baseUrl}/browse/${key}`;

  async function createWork(req: CreateWorkRequest): Promise<CreatedWork> {
    const projectKey = req.plan.project;
    const mapping = req.mapping;
    const project = await projects.get(projectKey, mapping);
    const resolved = resolveIssueTypes(project);
    if (!resolved.ok) {
      const names = resolved.missing.map((m) => `"${m.name}" (for the ${m.role})`).join(' and ');
      throw new PermanentError(
        `mapping ${mapping}: Jira project ${projectKey} has no issue type ${names}; add it to the project's issue type scheme`,
        CONNECTOR,
        'issuetype',
      );
    }
    const types = resolved.types;
    const notes: string[] = [];

    // People: each distinct email once; an unknown person leaves the task unassigned (never fails).
    const accountIds = new Map<string, string | null>();
    for (const task of req.plan.tasks) {
      const email = task.assigneeEmail;
      if (email !== null && !accountIds.has(email.toLowerCase())) accountIds.set(email.toLowerCase(), await users.accountIdFor(email));
    }
    const accountFor = (email: string | null) => (email === null ? null : (accountIds.get(email.toLowerCase()) ?? null));
    for (const task of req.plan.tasks) {
      if (task.assigneeEmail !== null && accountFor(task.assigneeEmail) === null) {
        notes.push(`no Jira user for ${task.assigneeEmail}: task ${task.id} left unassigned`);
      } else if (task.assigneeEmail === null && task.assigneeRole !== null) {
        notes.push(`no email for the ${task.assigneeRole} role: task ${task.id} left unassigned`);
      }
    }

    // What earlier attempts recorded, then what Jira has under the marker label.
    const saved = SavedProgress.parse(req.progress.saved ?? {});
    let parent = saved.parent;
    const tasks: CreatedWork['tasks'] = { ...(saved.tasks ?? {}) };
    const links = new Set(saved.links ?? []);
    const planned = new Set(req.plan.tasks.map((t) => t.id));
    let found: FoundIssue[] = [];
    // A first attempt never created anything, so there is nothing under the marker to find.
    if (!req.progress.firstAttempt && (parent === undefined || req.plan.tasks.some((t) => tasks[t.id] === undefined))) {
      found = await findMarkedIssues(call, { projectKey, handoffId: req.handoffId, mapping });
      let adopted = false;
      for (const issue of found) {
        if (issue.taskId === null) {
          if (parent === undefined) {
            parent = { id: issue.id, key: issue.key, url: browse(issue.key) };
            adopted = true;
          }
        } else if (planned.has(issue.taskId) && tasks[issue.taskId] === undefined) {
          const email = req.plan.tasks.find((t) => t.id === issue.taskId)?.assigneeEmail ?? null;
          tasks[issue.taskId] = { id: issue.id, key: issue.key, url: browse(issue.key), assignee: accountFor(email) !== null ? email : null };
          adopted = true;
        }
      }
      if (adopted) await req.progress.save({ ...(parent ? { parent } : {}), tasks: { ...tasks } });
      // Still missing although a create of it was sent and never answered: the search may not show it yet.
      const settle = { mapping, settleMs: opts.searchSettleMs ?? DEFAULT_SEARCH_SETTLE_MS };
      if (parent === undefined) awaitSearchSettled(saved.parentSentAt, `the parent ${types.parent.name}`, settle);
      const unseen = req.plan.tasks.filter((t) => tasks[t.id] === undefined).map((t) => t.id);
      if (unseen.length > 0) awaitSearchSettled(saved.tasksSentAt, `the tasks (${unseen.length}: ${listed(unseen)})`, settle);
    }

    if (parent === undefined) {
      const payload = parentCreate({ projectKey, issueTypeId: types.parent.id, plan: req.plan, document: req.document, handoffId: req.handoffId, mapping });
      const res = await sendCreate(req.progress, 'parentSentAt', () =>
        call(
          { operation: `create the parent ${types.parent.name} in ${projectKey}`, mapping, project: projectKey, permission: 'Create issues' },
          (c) => c.issues.createIssue(payload as never),
        ),
      );
      parent = { id: String(res.id), key: res.key, url: browse(res.key) };
      await req.progress.save({ parent, parentSentAt: null });
    }
    const parentRef = { key: parent.key ?? parent.id, url: parent.url ?? browse(parent.key ?? parent.id) };

    const missing = req.plan.tasks.filter((t) => tasks[t.id] === undefined);
    if (missing.length > 0) {
      const items: BulkItem[] = missing.map((task) => {
        const accountId = accountFor(task.assigneeEmail);
        return {
          taskId: task.id,
          assigned: accountId !== null,
          payload: (assign) =>
            taskCreate({ projectKey, issueTypeId: types.task.id, task, parent: parentRef, accountId: assign ? accountId : null, handoffId: req.handoffId, mapping }),
        };
      });
      await bulkCreateTasks(
        call,
        items,
        { projectKey, mapping },
        {
          send: (fn) => sendCreate(req.progress, 'tasksSentAt', fn),
          onCreated: async (created) => {
            for (const c of created) {
              const email = req.plan.tasks.find((t) => t.id === c.taskId)?.assigneeEmail ?? null;
              tasks[c.taskId] = { id: c.id, key: c.key, url: browse(c.key), assignee: c.assigned ? email : null };
            }
            await req.progress.save({ tasks: { ...tasks }, tasksSentAt: null });
          },
          note: (text) => notes.push(text),
        },
      );
    }

    // "Blocks" links, blocker → blocked. FACTS §2: {inwardIssue: X, outwardIssue: Y} means X blocks Y.
    let linksChanged = false;
    for (const task of req.plan.tasks) {
      for (const blockerId of task.after) {
        const id = linkId(blockerId, task.id);
        if (links.has(id)) continue;
        const blocker = tasks[blockerId];
        const blocked = tasks[task.id];
        if (!blocker?.key || !blocked?.key) {
          notes.push(`task ${task.id} waits for ${blockerId}, which is not in the plan: no link made`);
          continue;
        }
        if (blocksLinkExists(found, blocker.key, blocked.key)) {
          links.add(id);
          linksChanged = true;
          continue;
        }
        const [blockerKey, blockedKey] = [blocker.key, blocked.key];
        await call(
          { operation: `link ${blockerKey} blocks ${blockedKey}`, mapping, taskId: task.id, project: projectKey, permission: 'Link issues' },
          (c) => c.issueLinks.linkIssues({ type: { name: 'Blocks' }, inwardIssue: { key: blockerKey }, outwardIssue: { key: blockedKey } }),
        );
        links.add(id);
        linksChanged = false;
        await req.progress.save({ links: [...links] });
      }
    }
    if (linksChanged) await req.progress.save({ links: [...links] });

    const result: CreatedWork['tasks'] = {};
    for (const t of req.plan.tasks) {
      const entry = tasks[t.id];
      if (entry) result[t.id] = entry;
    }
    return { parent, tasks: result, notes };
  }

  return {
    tool: 'jira',
    mode: 'live',
    createWork,
    readTasks: (refs, ctx) => readJiraTasks(call, refs, ctx),
    preflight: (req) => runPreflight({ call: call as JiraCall, users, projects }, req),
  };
}

/** A few task ids for a message. */
function listed(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')}, …`;
}
