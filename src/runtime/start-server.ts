// The HTTP side of a process: receivers, health and API. Stateless: run as many as you like.
import type { Server } from 'node:http';
import type { Runtime } from './build-runtime.js';
import express from 'express';
import { createApp } from '../http/create-app.js';
import { buildInbound } from './build-inbound.js';
import { metricsRouter } from '../http/metrics-route.js';
import type { RunningWorkers } from './start-workers.js';
import { payloadEvents } from './crm-payloads.js';
import { listenFailure } from './startup-error.js';
import { resumeHandoff } from '../../jobs/resume-handoff.js';

export async function startServer(rt: Runtime): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const app = createApp({
    config: rt.config,
    inbound: buildInbound(rt.config),
    logger: rt.logger,
    store: rt.store,
    queues: rt.queues,
    health: rt.health,
    chat: rt.connectors.registry.teamChat,
    metrics: rt.metrics,
    mappingStatus: () => ({ valid: rt.jobDeps.mappings().length, rejected: [...new Set(rt.mappingErrors.map((e) => e.file))] }),
    dashboard: {
      config: rt.config,
      logger: rt.logger,
      store: rt.store,
      queues: rt.queues,
      redis: rt.redis,
      mappings: rt.jobDeps.mappings,
      mappingErrors: () => rt.mappingErrors,
      connectors: rt.connectors,
      crmPayloadEvents: payloadEvents,
      resumeHandoff: (handoff, how) => resumeHandoff(rt.jobDeps, handoff, how),
    },
  });
  const listening = await listen(app, rt.config.port, rt.config.host, 'PORT');
  // HubSpot allows 5 s per request; nothing legitimate here takes longer.
  listening.server.requestTimeout = 10_000;
  listening.server.keepAliveTimeout = 65_000;
  rt.logger.info({ url: listening.url, publicUrl: rt.config.publicUrl }, 'server listening');
  return listening;
}

/**
 * A `baton worker`'s own listener (always on, BATON_WORKER_PORT): /healthz is the worker's health signal
 * (the container HEALTHCHECK via `baton health`): 200 only while Redis and the store answer and every
 * BullMQ worker of the process is running, 503 otherwise. /metrics: its job counters live in its process.
 */
export async function startWorkerListener(rt: Runtime, workers: RunningWorkers): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const deps = await rt.health.check();
    const running = workers.workers.filter((w) => w.isRunning()).length;
    const ok = deps.redis && deps.store && running === workers.workers.length;
    res.status(ok ? 200 : 503).json({ ok, redis: deps.redis, store: deps.store, workers: { running, total: workers.workers.length } });
  });
  app.use(metricsRouter(rt.metrics, rt.config.metricsToken));
  const listening = await listen(app, rt.config.workerPort, rt.config.host, 'BATON_WORKER_PORT');
  rt.logger.info({ url: listening.url }, 'worker listening for /healthz and /metrics');
  return listening;
}

/** Binding fails as a StartupError naming the port, its variable and the fix (e.g. EADDRINUSE). */
async function listen(app: express.Express, port: number, host: string, variable: 'PORT' | 'BATON_WORKER_PORT'): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(listenFailure(err, { port, host, variable })) : resolve(s)));
  });
  const addr = server.address();
  return {
    server,
    url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
