// POST /webhooks/asana[/<webhook>] — Asana's two-step webhooks. The handshake (X-Hook-Secret) is accepted only
// on a URL carrying ?token=<ASANA_WEBHOOK_SECRET> (so nobody else can plant a secret); Baton keeps the secret
// and echoes it. Each webhook is told apart by the local id its target path carries (Asana's advice: one
// unique target per webhook, e.g. the project gid); a new handshake on that path replaces its secret, so one
// secret stays current per webhook. Every later delivery must carry X-Hook-Signature (HMAC-SHA256 of the raw
// body with that webhook's secret) or gets 401. Task events become one `status` job; the worker re-reads the tasks.
// The signature and the events' shape are the Asana connector's (connectors/asana/asana-webhook.ts).
import express, { type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/database.js';
import { currentWebhookSecret, saveWebhookSecret } from '../store/webhook-repo.js';
import type { InboundWebhook } from '../handoff/inbound-ports.js';
import type { AsanaStatusJob } from '../queue/job-schemas.js';
import { enqueueAsanaStatus } from '../queue/enqueue.js';

export interface AsanaReceiverDeps {
  /** ASANA_WEBHOOK_SECRET: the ?token= the registered target URL carries. */
  handshakeToken: string | undefined;
  /** Verifies a delivery with the webhook's secret and reads its task events. */
  webhook: InboundWebhook<{ taskGid: string }[]>;
  maxBytes: number;
  store: Store;
  statusQueue: Queue;
  logger: Logger;
}

const WEBHOOK_ID = /^[A-Za-z0-9_-]{0,64}$/;

/** Equal-length digests, so the compare takes the same time whatever the given token's length. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function asanaWebhookRouter(deps: AsanaReceiverDeps): Router {
  const router = express.Router();
  router.post(['/webhooks/asana', '/webhooks/asana/:webhook'], express.raw({ type: () => true, limit: deps.maxBytes }), async (req: Request, res: Response) => {
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The bare path is the webhook '' (targets registered before webhooks had ids).
    const webhook = typeof req.params.webhook === 'string' ? req.params.webhook : '';
    if (!WEBHOOK_ID.test(webhook)) {
      res.status(404).json({ error: 'unknown webhook path: use /webhooks/asana/<id> with letters, digits, - or _' });
      return;
    }
    const hookSecret = req.get('x-hook-secret');
    if (hookSecret !== undefined) {
      const token = typeof req.query.token === 'string' ? req.query.token : '';
      if (!deps.handshakeToken || !sameToken(token, deps.handshakeToken) || !/^[A-Za-z0-9]{16,128}$/.test(hookSecret)) {
        deps.logger.warn('asana webhook handshake refused');
        res.status(401).json({ error: 'handshake refused: the target URL must carry ?token=<ASANA_WEBHOOK_SECRET>' });
        return;
      }
      await saveWebhookSecret(deps.store, 'asana', webhook, hookSecret);
      res.status(200).set('X-Hook-Secret', hookSecret).end();
      return;
    }
    const secret = await currentWebhookSecret(deps.store, 'asana', webhook);
    if (!deps.webhook.verify({ method: req.method, url: req.originalUrl, rawBody, headers: req.headers, nowMs: Date.now() }, secret ? [secret] : []).ok) {
      deps.logger.warn('asana webhook rejected: bad or missing X-Hook-Signature');
      res.status(401).json({ error: 'invalid signature' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      res.status(400).json({ error: 'body is not valid JSON' });
      return;
    }
    const parsed = deps.webhook.parse(body);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.error });
      return;
    }
    const events = parsed.value;
    const taskGids = [...new Set(events.map((e) => e.taskGid))];
    if (taskGids.length > 0) {
      try {
        await enqueueAsanaStatus(deps.statusQueue, { taskGids });
      } catch (e) {
        deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not queue an asana webhook');
        res.status(503).set('Retry-After', '5').json({ error: 'queue unavailable, retry later' });
        return;
      }
    }
    res.status(200).json({ accepted: taskGids.length });
  });
  return router;
}
