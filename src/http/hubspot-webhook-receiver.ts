// POST /webhooks/hubspot — the acknowledged path. Verify the signature on the raw bytes, parse and
// shape-check (both by the CRM's connector, through the CrmWebhook port), then ONE durable write (a BullMQ
// job holding the whole batch) before answering 2xx. Dedupe and fan-out happen in the `events` worker, off
// the ack path.
import express, { type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import type { CrmWebhook } from '../handoff/inbound-ports.js';
import type { IngestJob } from '../queue/job-schemas.js';
import type { HealthSignal } from '../observability/health-signal.js';
import { enqueueWebhookBatch } from '../queue/enqueue.js';
import type { Logger } from '../log/create-logger.js';
import type { Metrics } from '../observability/metrics.js';

export interface HubSpotReceiverDeps {
  publicUrl: string;
  /** Verifies and normalises a delivery (connectors/hubspot/hubspot-webhook.ts); null: HUBSPOT_CLIENT_SECRET is not set. */
  webhook: CrmWebhook | null;
  maxBytes: number;
  eventsQueue: Queue;
  health: HealthSignal;
  logger: Logger;
  /** Counters for /metrics (optional so the receiver can be mounted without them). */
  metrics?: Pick<Metrics, 'webhooks' | 'webhookEvents'>;
  /** Bound on the durable write: HubSpot gives up after 5 s, so answer 503 well before. */
  enqueueTimeoutMs?: number;
  now?: () => number;
}

export function hubspotWebhookRouter(deps: HubSpotReceiverDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.enqueueTimeoutMs ?? 2_000;
  const count = (outcome: string) => deps.metrics?.webhooks.inc({ source: 'hubspot', outcome });

  router.post('/webhooks/hubspot', express.raw({ type: () => true, limit: deps.maxBytes }), async (req: Request, res: Response) => {
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const webhook = deps.webhook;
    if (!webhook) {
      count('no_secret');
      res.status(401).json({ error: 'webhook signatures cannot be checked: HUBSPOT_CLIENT_SECRET is not set' });
      return;
    }
    const check = webhook.verify({
      method: req.method,
      // The URL HubSpot called, from configuration: request headers are attacker-controlled.
      url: deps.publicUrl + req.originalUrl,
      rawBody,
      headers: req.headers,
      nowMs: now(),
    });
    if (!check.ok) {
      count('bad_signature');
      // The reason never carries a secret or a signature: it names what was wrong and the setting.
      deps.logger.warn({ reason: check.reason }, `hubspot webhook rejected: ${check.reason}`);
      res.status(401).json({ error: `invalid signature: ${check.reason}` });
      return;
    }

    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      count('malformed');
      res.status(400).json({ error: 'body is not valid JSON' });
      return;
    }
    const result = webhook.parse(body);
    if (!result.ok) {
      count('malformed');
      res.status(400).json({ error: result.error });
      return;
    }
    const parsed = result.value;
    // HubSpot retries every non-2xx, so events Baton deliberately ignores are still acknowledged.
    deps.metrics?.webhookEvents.inc({ source: 'hubspot', outcome: 'ignored' }, parsed.ignored);
    if (parsed.events.length === 0) {
      count('ignored');
      res.status(200).json({ accepted: 0, ignored: parsed.ignored });
      return;
    }
    if (!deps.health.current.store) {
      count('unavailable');
      unavailable(res, 'store unavailable');
      return;
    }
    const job: IngestJob = { receivedAt: new Date(now()).toISOString(), origin: 'webhook', events: parsed.events };
    try {
      await withTimeout(enqueueWebhookBatch(deps.eventsQueue, job), timeoutMs);
    } catch (e) {
      count('unavailable');
      deps.logger.error({ err: e }, 'could not queue webhook batch');
      unavailable(res, 'queue unavailable');
      return;
    }
    count('accepted');
    deps.metrics?.webhookEvents.inc({ source: 'hubspot', outcome: 'accepted' }, parsed.events.length);
    res.status(200).json({ accepted: parsed.events.length, ignored: parsed.ignored });
  });

  return router;
}

function unavailable(res: Response, reason: string): void {
  res.status(503).set('Retry-After', '5').json({ error: `${reason}, retry later` });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
