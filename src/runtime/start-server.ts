// The HTTP side of a process: receivers, health and API. Stateless: run as many as you like.
import type { Server } from 'node:http';
import type { Runtime } from './build-runtime.js';
import { createApp } from '../http/create-app.js';

export async function startServer(rt: Runtime): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const app = createApp({
    config: rt.config,
    logger: rt.logger,
    store: rt.store,
    queues: rt.queues,
    health: rt.health,
    chat: rt.connectors.chat,
    metrics: rt.metrics,
    dashboard: {
      config: rt.config,
      logger: rt.logger,
      store: rt.store,
      queues: rt.queues,
      redis: rt.redis,
      mappings: rt.jobDeps.mappings,
      mappingErrors: () => rt.mappingErrors,
      connectors: rt.connectors,
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(rt.config.port, rt.config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // HubSpot allows 5 s per request; nothing legitimate here takes longer.
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : rt.config.port;
  const url = `http://127.0.0.1:${port}`;
  rt.logger.info({ url, publicUrl: rt.config.publicUrl }, 'server listening');
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
