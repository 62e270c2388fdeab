// The Express app: receivers, health, read API. Transport only; routing of work happens in jobs/.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BatonConfig } from '../config/read-env-options.js';
import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/database.js';
import type { BatonQueues } from '../queue/queues.js';
import type { HealthSignal } from '../observability/health-signal.js';
import { hubspotWebhookRouter } from './hubspot-webhook-receiver.js';
import { handoffsApiRouter } from './handoffs-api.js';
import { requireApiToken } from './require-api-token.js';
import { metricsRouter } from './metrics-route.js';
import { failedRequestLimiter, LIMITED_PATHS, securityHeaders } from './security-middleware.js';
import type { Metrics } from '../observability/metrics.js';
import { slackInteractionsRouter } from './slack-interactions.js';
import { jiraWebhookRouter } from './jira-webhook-receiver.js';
import { asanaWebhookRouter } from './asana-webhook-receiver.js';
import { feedbackFormRouter } from './feedback-form.js';
import type { ChatConnector } from '../handoff/ports.js';
import type { CrmWebhook, InboundWebhook, RequestVerifier } from '../handoff/inbound-ports.js';
import type { JiraStatusJob } from '../queue/job-schemas.js';
import { dashboardRouter } from '../dashboard/dashboard-router.js';
import type { DashboardDeps } from '../dashboard/dashboard-deps.js';
import { dashboardApiRouter } from '../dashboard/dashboard-api.js';

/** The connectors' side of each receiver (src/handoff/inbound-ports.ts), built by src/runtime/build-inbound.ts. */
export interface InboundPorts {
  /** The CRM's webhooks; null when its secret is not set (every delivery is refused with the setting to set). */
  crm: CrmWebhook | null;
  /** Jira's webhooks; null when JIRA_WEBHOOK_SECRET is not set. */
  jira: InboundWebhook<JiraStatusJob['event'] | null> | null;
  asana: InboundWebhook<{ taskGid: string }[]>;
  /** Slack's interaction requests. */
  slack: RequestVerifier;
}

export interface AppDeps {
  config: BatonConfig;
  inbound: InboundPorts;
  logger: Logger;
  store: Store;
  queues: BatonQueues;
  health: HealthSignal;
  now?: () => number;
  /** Opens the feedback modal from a Slack button (the watching work); absent = no modal. */
  chat?: ChatConnector;
  /** Prometheus counters; absent = no /metrics (tests that mount the app alone). */
  metrics?: Metrics;
  /** The dashboard (sign-in, pages, admin); absent = not mounted. */
  dashboard?: DashboardDeps;
  /**
   * For /readyz: how many mappings are valid and which files were rejected (no messages: /readyz is
   * unauthenticated; the errors are in the log and on the admin page). Absent = not reported.
   */
  mappingStatus?: () => { valid: number; rejected: string[] };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxyHops > 0 ? deps.config.trustProxyHops : false);
  app.use(securityHeaders(deps.config.publicUrl));
  app.use(LIMITED_PATHS, failedRequestLimiter(deps.config.unauthFailuresPerMinute, (path) => deps.metrics?.rateLimited.inc({ path })));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Ready = Redis and the store answer and at least one mapping is valid (a process without one does not start).
  // Rejected mappings do not make it unready, but they are listed: deals they would match are not handed off.
  app.get('/readyz', async (_req, res) => {
    const s = await deps.health.check();
    const mappings = deps.mappingStatus?.();
    const ok = s.redis && s.store && (mappings === undefined || mappings.valid > 0);
    res.status(ok ? 200 : 503).json({ ok, redis: s.redis, store: s.store, ...(mappings && { mappings }) });
  });

  app.use(
    hubspotWebhookRouter({
      publicUrl: deps.config.publicUrl,
      webhook: deps.inbound.crm,
      maxBytes: deps.config.webhookMaxBytes,
      eventsQueue: deps.queues.events,
      health: deps.health,
      logger: deps.logger,
      metrics: deps.metrics,
      now: deps.now,
    }),
  );
  if (deps.metrics) app.use(metricsRouter(deps.metrics, deps.config.metricsToken));

  // Watching the handoff (docs/watching.md): Slack buttons and modals, delivery-tool webhooks, the feedback form.
  app.use(slackInteractionsRouter({ verifier: deps.inbound.slack, queues: deps.queues, store: deps.store, chat: deps.chat, logger: deps.logger, now: deps.now }));
  app.use(jiraWebhookRouter({ webhook: deps.inbound.jira, maxBytes: deps.config.webhookMaxBytes, statusQueue: deps.queues.status, logger: deps.logger }));
  app.use(asanaWebhookRouter({ handshakeToken: deps.config.watch.asanaWebhookSecret, webhook: deps.inbound.asana, maxBytes: deps.config.webhookMaxBytes, store: deps.store, statusQueue: deps.queues.status, logger: deps.logger }));
  app.use(feedbackFormRouter({ secret: deps.config.watch.feedbackFormSecret, store: deps.store, queues: deps.queues, logger: deps.logger, now: deps.now }));

  app.use('/api', requireApiToken(deps.config.apiToken), handoffsApiRouter(deps.store));

  if (deps.dashboard) {
    app.use('/api/dashboard', requireApiToken(deps.config.apiToken), dashboardApiRouter(deps.dashboard));
    app.use(dashboardRouter(deps.dashboard));
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  // Body-parser errors carry their HTTP status (413 too large, 400 bad encoding); anything else is ours.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : 500;
    if (status === 413) {
      res.status(413).json({ error: `body larger than ${deps.config.webhookMaxBytes} bytes` });
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(status).json({ error: 'bad request body' });
      return;
    }
    deps.logger.error({ err }, 'unhandled error in request');
    res.status(500).json({ error: 'internal error' });
  });

  return app;
}
