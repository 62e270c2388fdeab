// GET /metrics in the Prometheus text format. Guarded by BATON_METRICS_TOKEN when it is set; open
// otherwise, because it carries counts and durations only (labels never hold client data).
import express, { type Router } from 'express';
import type { Metrics } from '../observability/metrics.js';
import { requireApiToken } from './require-api-token.js';

export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const router = express.Router();
  const guard: express.RequestHandler = token ? requireApiToken(token, 'BATON_METRICS_TOKEN') : (_req, _res, next) => next();
  router.get('/metrics', guard, async (_req, res) => {
    try {
      const body = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(body);
    } catch (e) {
      // A queue-depth read failed (Redis down): say so rather than serve a partial scrape.
      res.status(503).type('text/plain').send(`metrics unavailable: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  });
  return router;
}
