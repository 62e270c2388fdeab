// Jira's admin webhook as Jira sends it: the issue as it is now in the Jira stand-in, signed with the webhook's
// secret (X-Hub-Signature) and carrying its delivery identifier. Used by the whole-process watching tests.
import { signJiraWebhook } from '../../connectors/jira/verify-webhook.js';
import type { StandinIssue } from '../standins/jira-standin.js';

/** Posts the webhook to a running Baton (`baseUrl`) and returns the HTTP status. */
export async function sendJiraWebhook(baseUrl: string, secret: string, issue: StandinIssue, deliveryId: string, event = 'jira:issue_updated'): Promise<number> {
  const body = JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: event,
    issue: { id: issue.id, key: issue.key, fields: { status: { name: issue.status.name, statusCategory: { key: issue.status.category } }, labels: issue.labels, updated: issue.updated } },
    changelog: { id: '1', items: [{ field: 'status' }] },
  });
  const res = await fetch(`${baseUrl}/webhooks/jira`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature': signJiraWebhook(body, secret), 'x-atlassian-webhook-identifier': deliveryId },
    body,
  });
  return res.status;
}
