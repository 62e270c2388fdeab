// The Jira requests a work plan turns into, for dry-run records and `baton preview` (pure). Ids Jira
// assigns (issue keys, accountIds, issue type ids) are shown as <placeholders>.
import type { HandoffDocument, WorkPlan } from '../../src/handoff/types.js';
import { parentCreate, taskCreate, type IssueCreate } from './issue-payloads.js';
import { DEFAULT_PARENT_TYPE, DEFAULT_TASK_TYPE } from './project-style.js';

export interface PlannedJiraRequests {
  parent: { method: 'POST'; path: '/rest/api/3/issue'; body: IssueCreate };
  tasks: { method: 'POST'; path: '/rest/api/3/issue/bulk'; body: { issueUpdates: IssueCreate[] } }[];
  links: { method: 'POST'; path: '/rest/api/3/issueLink'; body: unknown }[];
}

const byName = (c: IssueCreate, name: string): IssueCreate => ({ ...c, fields: { ...c.fields, issuetype: { name } } });

export function plannedJiraRequests(input: { plan: WorkPlan; document: HandoffDocument; handoffId: string; mapping: string }): PlannedJiraRequests {
  const { plan, handoffId, mapping } = input;
  const parentKey = '<parent key>';
  const parent = byName(parentCreate({ projectKey: plan.project, issueTypeId: '', plan, document: input.document, handoffId, mapping }), DEFAULT_PARENT_TYPE);
  const creates = plan.tasks.map((task) =>
    byName(
      taskCreate({
        projectKey: plan.project,
        issueTypeId: '',
        task,
        parent: { key: parentKey, url: '<parent url>' },
        accountId: task.assigneeEmail ? `<accountId of ${task.assigneeEmail}>` : null,
        handoffId,
        mapping,
      }),
      DEFAULT_TASK_TYPE,
    ),
  );
  const tasks = [];
  for (let i = 0; i < creates.length; i += 50) tasks.push({ method: 'POST' as const, path: '/rest/api/3/issue/bulk' as const, body: { issueUpdates: creates.slice(i, i + 50) } });
  // FACTS: {inwardIssue: X, outwardIssue: Y} means X blocks Y.
  const links = plan.tasks.flatMap((t) =>
    t.after.map((blocker) => ({
      method: 'POST' as const,
      path: '/rest/api/3/issueLink' as const,
      body: { type: { name: 'Blocks' }, inwardIssue: { key: `<key of ${blocker}>` }, outwardIssue: { key: `<key of ${t.id}>` } },
    })),
  );
  return { parent: { method: 'POST', path: '/rest/api/3/issue', body: parent }, tasks, links };
}
