// POST /webhooks/jira — Jira admin webhooks registered with JIRA_WEBHOOK_SECRET. Verify X-Hub-Signature
// over the raw body (401 otherwise), normalise the issue event (both by the Jira connector, through the
// inbound webhook port: connectors/jira/jira-webhook.ts), and make ONE durable write: a `status`
// job whose id is the delivery's X-Atlassian-Webhook-Identifier (stable across Jira's retries), so a
// redelivery is a no-op here and again in the worker's store dedupe. 503 when Redis is down (Jira retries).
import express, { type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '../log/create-logger.js';
import type { InboundWebhook } from '../handoff/inbound-ports.js';
import { jobIdFor } from '../queue/queues.js';
import { enqueueJiraStatus } from '../queue/enqueue.js';
import type { JiraStatusJob } from '../queue/job-schemas.js';

export interface JiraReceiverDeps {
  /** null: JIRA_WEBHOOK_SECRET is not set. */
  webhook: InboundWebhook<JiraStatusJob['event'] | null> | null;
  maxBytes: number;
  statusQueue: Queue;
  logger: Logger;
}

export function jiraWebhookRouter(deps: JiraReceiverDeps): Router {
  const router = express.Router();
  router.post('/webhooks/jira', express.raw({ type: () => true, limit: deps.maxBytes }), async (req: Request, res: Response) => {
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const webhook = deps.webhook;
    if (!webhook) {
      res.status(401).json({ error: 'Jira webhook signatures cannot be checked: JIRA_WEBHOOK_SECRET is not set' });
      return;
    }
    const check = webhook.verify({ method: req.method, url: req.originalUrl, rawBody, headers: req.headers, nowMs: Date.now() });
    if (!check.ok) {
      deps.logger.warn({ reason: check.reason }, 'jira webhook rejected');
      res.status(401).json({ error: `invalid signature: ${check.reason}` });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      res.status(400).json({ error: 'body is not valid JSON' });
      return;
    }
    const parsed = webhook.parse(body);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.error });
      return;
    }
    const event = parsed.value;
    if (!event) {
      res.status(200).json({ accepted: 0 });
      return;
    }
    const deliveryId = req.get('x-atlassian-webhook-identifier') ?? null;
    const job: JiraStatusJob = { deliveryId, event };
    try {
      await enqueueJiraStatus(deps.statusQueue, job);
    } catch (e) {
      deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not queue a jira webhook');
      res.status(503).set('Retry-After', '5').json({ error: 'queue unavailable, retry later' });
      return;
    }
    res.status(200).json({ accepted: 1 });
  });
  return router;
}
