// Live status of the issues Baton created, for the watcher: one enhanced search per 100 issues
// (`id in (…)` is bounded), fields status / assignee / duedate only. "Done" is Jira's status category
// (new / indeterminate / done), never a status name: every workflow names its statuses differently.
import type { TaskCategory, TaskRef, TaskState } from '../types.js';
import type { JiraCall } from './jira-client.js';

const FIELDS = ['status', 'assignee', 'duedate'];
const BATCH = 100;

interface SearchIssue {
  id?: string;
  key?: string;
  fields?: {
    status?: { name?: string; statusCategory?: { key?: string } } | null;
    assignee?: { emailAddress?: string; displayName?: string; accountId?: string } | null;
    duedate?: string | null;
  };
}

export function jiraCategory(statusCategoryKey: string | undefined | null): TaskCategory {
  switch (statusCategoryKey) {
    case 'new':
      return 'todo';
    case 'indeterminate':
      return 'in_progress';
    case 'done':
      return 'done';
    default:
      return 'unknown';
  }
}

export function jiraAssignee(a: { emailAddress?: string; displayName?: string; accountId?: string } | null | undefined): string | null {
  if (!a) return null;
  return a.emailAddress || a.displayName || a.accountId || null;
}

export async function readJiraTasks(call: JiraCall, refs: TaskRef[], ctx: { mapping: string }): Promise<TaskState[]> {
  const out: TaskState[] = [];
  // Ids are numbers in Jira; anything else cannot be one of Baton's issues and never reaches the JQL.
  const valid = refs.filter((r) => /^\d{1,18}$/.test(r.externalId));
  for (let i = 0; i < valid.length; i += BATCH) {
    const batch = valid.slice(i, i + BATCH);
    const res = (await call(
      { operation: `read the status of ${batch.length} issue(s)`, mapping: ctx.mapping, permission: 'Browse projects' },
      (c) => c.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: `id in (${batch.map((r) => r.externalId).join(',')})`, fields: FIELDS, maxResults: BATCH }),
    )) as { issues?: SearchIssue[] };
    const byId = new Map((res.issues ?? []).filter((x) => x.id).map((x) => [String(x.id), x]));
    for (const ref of batch) {
      const issue = byId.get(ref.externalId);
      const key = issue?.key ?? ref.key;
      out.push({
        taskId: ref.taskId,
        externalId: ref.externalId,
        found: issue !== undefined,
        statusName: issue?.fields?.status?.name ?? null,
        category: issue ? jiraCategory(issue.fields?.status?.statusCategory?.key) : 'unknown',
        assignee: jiraAssignee(issue?.fields?.assignee),
        dueDate: issue?.fields?.duedate ?? null,
        url: key ? `${call.baseUrl}/browse/${key}` : null,
      });
    }
  }
  for (const ref of refs) {
    if (!valid.includes(ref)) out.push({ taskId: ref.taskId, externalId: ref.externalId, found: false, statusName: null, category: 'unknown', assignee: null, dueDate: null, url: null });
  }
  return out;
}
