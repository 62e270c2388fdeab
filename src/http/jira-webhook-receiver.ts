// POST /webhooks/jira — Jira admin webhooks registered with JIRA_WEBHOOK_SECRET. Verify X-Hub-Signature
// over the raw body (401 otherwise), normalise the issue event, and make ONE durable write: a `status`
// job whose id is the delivery's X-Atlassian-Webhook-Identifier (stable across Jira's retries), so a
// redelivery is a no-op here and again in the worker's store dedupe. 503 when Redis is down (Jira retries).
import express, { type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '../log/create-logger.js';
import { verifyJiraSignature } from '../../connectors/jira/verify-webhook.js';
import { JiraWebhookShapeError, parseJiraWebhook } from '../../connectors/jira/parse-webhook.js';
import { enqueueJiraStatus } from '../queue/enqueue.js';
import type { JiraStatusJob } from '../queue/job-schemas.js';

export interface JiraReceiverDeps {
  secret: string | undefined;
  maxBytes: number;
  statusQueue: Queue;
  logger: Logger;
}

export function jiraWebhookRouter(deps: JiraReceiverDeps): Router {
  const router = express.Router();
  router.post('/webhooks/jira', express.raw({ type: () => true, limit: deps.maxBytes }), async (req: Request, res: Response) => {
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!deps.secret) {
      res.status(401).json({ error: 'Jira webhook signatures cannot be checked: JIRA_WEBHOOK_SECRET is not set' });
      return;
    }
    const check = verifyJiraSignature(rawBody, req.get('x-hub-signature'), deps.secret);
    if (!check.ok) {
      deps.logger.warn({ reason: check.reason }, 'jira webhook rejected');
      res.status(401).json({ error: `invalid signature: ${check.reason}` });
      return;
    }
    let event;
    try {
      event = parseJiraWebhook(JSON.parse(rawBody.toString('utf8')));
    } catch (e) {
      res.status(400).json({ error: e instanceof JiraWebhookShapeError ? e.message : 'body is not valid JSON' });
      return;
    }
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
