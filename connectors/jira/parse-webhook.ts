// A Jira issue webhook (jira:issue_created / _updated / _deleted), normalised to what the watcher needs:
// which issue, and its status category, assignee and due date as the payload states them. Only this file
// knows the payload's shape (fixtures jira-issue-*.json).
import type { TaskCategory } from '../../src/handoff/ports.js';
import { jiraAssignee, jiraCategory, jiraTime } from './read-task-status.js';
import { taskIdFromLabels } from './markers.js';

export interface JiraIssueEvent {
  kind: 'created' | 'updated' | 'deleted';
  /** ms since epoch, from the payload. */
  timestamp: number;
  /** When the issue was last changed (its `fields.updated`, else the webhook's timestamp), ISO-8601 UTC. */
  updatedAt: string | null;
  issueId: string;
  issueKey: string | null;
  statusName: string | null;
  category: Exclude<TaskCategory, 'deleted'>;
  assignee: string | null;
  dueDate: string | null;
  labels: string[];
  /** The planned task id from Baton's marker label, when present. */
  taskId: string | null;
  /** Fields the changelog says changed (status, assignee, duedate, …). */
  changed: string[];
}

export class JiraWebhookShapeError extends Error {
  override readonly name = 'JiraWebhookShapeError';
}

const KINDS: Record<string, JiraIssueEvent['kind']> = {
  'jira:issue_created': 'created',
  'jira:issue_updated': 'updated',
  'jira:issue_deleted': 'deleted',
};

const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** null for events the watcher does not use (comments, worklogs, …): acknowledged and ignored. */
export function parseJiraWebhook(body: unknown): JiraIssueEvent | null {
  const b = rec(body);
  if (typeof b.webhookEvent !== 'string') throw new JiraWebhookShapeError('not a Jira webhook: webhookEvent is missing');
  const kind = KINDS[b.webhookEvent];
  if (!kind) return null;
  const issue = rec(b.issue);
  const id = issue.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new JiraWebhookShapeError('issue.id is missing');
  const fields = rec(issue.fields);
  const status = rec(fields.status);
  const labels = Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [];
  const items = Array.isArray(rec(b.changelog).items) ? (rec(b.changelog).items as unknown[]) : [];
  const timestamp = typeof b.timestamp === 'number' ? b.timestamp : Date.now();
  return {
    kind,
    timestamp,
    updatedAt: jiraTime(fields.updated) ?? jiraTime(timestamp),
    issueId: String(id),
    issueKey: typeof issue.key === 'string' ? issue.key : null,
    statusName: typeof status.name === 'string' ? status.name : null,
    category: jiraCategory(typeof rec(status.statusCategory).key === 'string' ? (rec(status.statusCategory).key as string) : null),
    assignee: jiraAssignee(fields.assignee as never),
    dueDate: typeof fields.duedate === 'string' ? fields.duedate : null,
    labels,
    taskId: taskIdFromLabels(labels),
    changed: items.map((i) => rec(i).field).filter((f): f is string => typeof f === 'string'),
  };
}
