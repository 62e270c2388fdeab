// The inbound webhook port (src/handoff/inbound-ports.ts) for Jira admin webhooks: X-Hub-Signature over the raw
// body with JIRA_WEBHOOK_SECRET (verify-webhook.ts), then the issue event normalised (parse-webhook.ts); null
// for events the watcher does not use.
import type { InboundWebhook } from '../../src/handoff/inbound-ports.js';
import { headerValue } from '../common/header-value.js';
import { verifyJiraSignature } from './verify-webhook.js';
import { JiraWebhookShapeError, parseJiraWebhook, type JiraIssueEvent } from './parse-webhook.js';

export function createJiraWebhook(secret: string): InboundWebhook<JiraIssueEvent | null> {
  return {
    verify: (req) => verifyJiraSignature(req.rawBody, headerValue(req.headers, 'x-hub-signature'), secret),
    parse(body) {
      try {
        return { ok: true, value: parseJiraWebhook(body) };
      } catch (e) {
        // Anything but a shape error means the body was not the JSON object a webhook is.
        return { ok: false, error: e instanceof JiraWebhookShapeError ? e.message : 'body is not valid JSON' };
      }
    },
  };
}
