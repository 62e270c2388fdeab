// Live status of the issues Baton created, for the watcher: one enhanced search per 100 issues
// (`id in (…)` is bounded), fields status / assignee / duedate / updated only. "Done" is Jira's status
// category (new / indeterminate / done), never a status name: every workflow names its statuses differently.
// An issue the search does not return is read on its own: Jira refuses (400) a JQL query naming an issue
// that no longer exists, and a 404 on the issue itself is the only sign it was deleted.
import { isPermanent } from '../../src/handoff/errors.js';
import type { TaskCategory, TaskRef, TaskState } from '../../src/handoff/ports.js';
import type { JiraCall } from './jira-client.js';
import { describeJiraFailure } from './classify-error.js';

const FIELDS = ['status', 'assignee', 'duedate', 'updated'];
const BATCH = 100;

interface JiraIssue {
  id?: string;
  key?: string;
  fields?: {
    status?: { name?: string; statusCategory?: { key?: string } } | null;
    assignee?: { emailAddress?: string; displayName?: string; accountId?: string } | null;
    duedate?: string | null;
    updated?: string | null;
  };
}

/** Never 'deleted': that is what Baton concludes from a 404 or a delete event, not a status category. */
export function jiraCategory(statusCategoryKey: string | undefined | null): Exclude<TaskCategory, 'deleted'> {
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

/** Jira's timestamps ("2026-12-06T03:58:43.123+0000") as ISO-8601 UTC; null when absent or unreadable. */
export function jiraTime(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const ms = typeof v === 'number' ? v : Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Read by one issue: a 404 is an answer here (the issue is gone), not a failure. */
const GONE = Symbol('gone');

export async function readJiraTasks(call: JiraCall, refs: TaskRef[], ctx: { mapping: string }): Promise<TaskState[]> {
  const out: TaskState[] = [];
  const gone = (ref: TaskRef, deleted: boolean): TaskState => ({ taskId: ref.taskId, externalId: ref.externalId, found: false, deleted, statusName: null, category: 'unknown', assignee: null, dueDate: null, updatedAt: null, url: null });
  const state = (ref: TaskRef, issue: JiraIssue): TaskState => {
    const key = issue.key ?? ref.key;
    return {
      taskId: ref.taskId,
      externalId: ref.externalId,
      found: true,
      deleted: false,
      statusName: issue.fields?.status?.name ?? null,
      category: jiraCategory(issue.fields?.status?.statusCategory?.key),
      assignee: jiraAssignee(issue.fields?.assignee),
      dueDate: issue.fields?.duedate ?? null,
      updatedAt: jiraTime(issue.fields?.updated),
      url: key ? `${call.baseUrl}/browse/${key}` : null,
    };
  };
  // Ids are numbers in Jira; anything else cannot be one of Baton's issues and never reaches the JQL.
  const valid = refs.filter((r) => /^\d{1,18}$/.test(r.externalId));
  for (let i = 0; i < valid.length; i += BATCH) {
    const batch = valid.slice(i, i + BATCH);
    let issues: JiraIssue[] = [];
    try {
      const res = (await call(
        { operation: `read the status of ${batch.length} issue(s)`, mapping: ctx.mapping, permission: 'Browse projects' },
        (c) => c.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: `id in (${batch.map((r) => r.externalId).join(',')})`, fields: FIELDS, maxResults: BATCH }),
      )) as { issues?: JiraIssue[] };
      issues = res.issues ?? [];
    } catch (e) {
      // A deleted issue makes the whole query invalid (400): each issue is read on its own below.
      if (!isPermanent(e)) throw e;
    }
    const byId = new Map(issues.filter((x) => x.id).map((x) => [String(x.id), x]));
    for (const ref of batch) {
      const issue = byId.get(ref.externalId);
      if (issue) {
        out.push(state(ref, issue));
        continue;
      }
      const one = await call<JiraIssue | typeof GONE>({ operation: `read issue ${ref.key ?? ref.externalId} (${ref.taskId})`, mapping: ctx.mapping, permission: 'Browse projects' }, (c) =>
        c.issues.getIssue<JiraIssue>({ issueIdOrKey: ref.externalId, fields: FIELDS }).catch((e: unknown) => {
          if (describeJiraFailure(e).status === 404) return GONE;
          throw e;
        }),
      );
      out.push(one === GONE ? gone(ref, true) : state(ref, one));
    }
  }
  for (const ref of refs) if (!valid.includes(ref)) out.push(gone(ref, false));
  return out;
}
