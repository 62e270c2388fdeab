// `baton validate --live` for a Jira mapping: everything that would make the first handoff fail, found
// before the first deal arrives. One { problem, fix } per problem; an unreachable Jira is one problem too.
import { isPermanent, isRetryable } from '../../src/handoff/errors.js';
import type { JiraCall } from './jira-client.js';
import type { ProjectDirectory } from './project-directory.js';
import { resolveIssueTypes, type JiraIssueType } from './project-style.js';
import type { UserDirectory } from './user-directory.js';

export interface JiraPreflightRequest {
  mapping: string;
  project: string;
  /** Issue type names to check; default: what createWork would pick for the project's style. */
  parentIssueType?: string;
  taskIssueType?: string;
  /** Field ids the mapping's tasks set (e.g. customfield_10020). */
  fields: string[];
  /** The people's emails the mapping resolves to. */
  emails: string[];
}

export interface PreflightProblem {
  problem: string;
  fix: string;
}

/** Fields Baton fills on every create; a required one of these is never a problem. */
export const BATON_TASK_FIELDS = ['project', 'issuetype', 'summary', 'description', 'labels', 'parent', 'assignee', 'duedate', 'reporter'];
export const BATON_PARENT_FIELDS = ['project', 'issuetype', 'summary', 'description', 'labels', 'reporter'];
/** Must be on the create screen: the marker labels are how retries find issues; due dates and owners are the point. */
const MUST_BE_ON_TASK_SCREEN = ['labels', 'duedate', 'assignee'];

interface MetaField {
  fieldId?: string;
  key?: string;
  name?: string;
  required?: boolean;
  hasDefaultValue?: boolean;
}

export async function runPreflight(
  deps: { call: JiraCall; users: UserDirectory; projects: ProjectDirectory },
  req: JiraPreflightRequest,
): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const where = `mapping ${req.mapping}`;
  try {
    const project = await deps.projects.get(req.project);
    const wanted = {
      ...(req.parentIssueType !== undefined ? { parent: req.parentIssueType } : {}),
      ...(req.taskIssueType !== undefined ? { task: req.taskIssueType } : {}),
    };
    const resolved = resolveIssueTypes(project, wanted);
    if (!resolved.ok) {
      const available = project.issueTypes.map((t) => t.name).join(', ') || 'none';
      for (const m of resolved.missing) {
        problems.push({
          problem: `${where}: Jira project ${req.project} has no issue type "${m.name}" for the ${m.role} (available: ${available})`,
          fix: `add "${m.name}" to the issue type scheme of ${req.project}, or use another project`,
        });
      }
    } else {
      const { parent, task } = resolved.types;
      const taskMeta = await createMeta(deps.call, req.project, task);
      const onScreen = new Set(taskMeta.map((f) => f.fieldId ?? f.key ?? ''));
      for (const f of taskMeta) {
        const id = f.fieldId ?? f.key ?? '';
        if (!f.required || f.hasDefaultValue || BATON_TASK_FIELDS.includes(id) || req.fields.includes(id)) continue;
        problems.push({
          problem: `${where}: Jira field ${id} (${f.name ?? id}) is required to create ${task.name} issues in ${req.project}, and the mapping does not set it`,
          fix: `add ${id} to the mapping's task fields, or remove it from the create screen`,
        });
      }
      for (const id of req.fields) {
        if (onScreen.has(id)) continue;
        problems.push({
          problem: `${where}: the mapping sets Jira field ${id}, which is not on the ${task.name} create screen in ${req.project}`,
          fix: `add ${id} to the create screen of ${req.project}, or remove it from the mapping's task fields`,
        });
      }
      for (const id of MUST_BE_ON_TASK_SCREEN) {
        if (onScreen.has(id)) continue;
        problems.push({
          problem: `${where}: Jira field ${id} is not on the ${task.name} create screen in ${req.project} (Baton sets it on every task)`,
          fix: `add ${id} to the create screen of ${req.project}`,
        });
      }
      const parentMeta = await createMeta(deps.call, req.project, parent);
      for (const f of parentMeta) {
        const id = f.fieldId ?? f.key ?? '';
        if (!f.required || f.hasDefaultValue || BATON_PARENT_FIELDS.includes(id)) continue;
        problems.push({
          problem: `${where}: Jira field ${id} (${f.name ?? id}) is required to create ${parent.name} issues in ${req.project}; Baton sets only summary, description and labels on the parent`,
          fix: `make ${id} optional (or give it a default) for ${parent.name} in ${req.project}`,
        });
      }
      if (!parentMeta.some((f) => (f.fieldId ?? f.key) === 'labels')) {
        problems.push({
          problem: `${where}: Jira field labels is not on the ${parent.name} create screen in ${req.project} (Baton marks the parent with a label to find it on retries)`,
          fix: `add labels to the ${parent.name} create screen of ${req.project}`,
        });
      }
    }
  } catch (err) {
    problems.push(fromError(err, where));
    return problems;
  }

  for (const email of [...new Set(req.emails.map((e) => e.trim().toLowerCase()))]) {
    try {
      if ((await deps.users.accountIdFor(email)) === null) {
        problems.push({
          problem: `${where}: no Jira user for ${email} (their tasks would be left unassigned)`,
          fix: `invite ${email} to Jira, or point the mapping's people at the email they use in Jira (the JIRA_EMAIL user needs "Browse users and groups" to see them)`,
        });
      }
    } catch (err) {
      problems.push(fromError(err, where));
    }
  }
  return problems;
}

async function createMeta(call: JiraCall, projectKey: string, type: JiraIssueType): Promise<MetaField[]> {
  const out: MetaField[] = [];
  for (let startAt = 0; ; ) {
    const page = (await call({ operation: `read the ${type.name} create screen of ${projectKey}`, project: projectKey, permission: 'Create issues' }, (c) =>
      c.issues.getCreateIssueMetaIssueTypeId({ projectIdOrKey: encodeURIComponent(projectKey), issueTypeId: type.id, startAt, maxResults: 200 }),
    )) as { fields?: MetaField[]; results?: MetaField[]; total?: number; maxResults?: number };
    const fields = page.fields ?? page.results ?? [];
    out.push(...fields);
    startAt += fields.length;
    if (fields.length === 0 || page.total === undefined || startAt >= page.total) return out;
  }
}

function fromError(err: unknown, where: string): PreflightProblem {
  const message = err instanceof Error ? err.message : String(err);
  if (isPermanent(err)) return { problem: message.startsWith('mapping ') ? message : `${where}: ${message}`, fix: 'see the message: change the Jira settings or credentials it names' };
  if (isRetryable(err)) return { problem: `${where}: Jira could not be checked: ${message}`, fix: 'check JIRA_BASE_URL and the network, then run the validation again' };
  return { problem: `${where}: Jira check failed: ${message}`, fix: 'check JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN' };
}
