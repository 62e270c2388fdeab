// The dashboard's data as JSON under /api/dashboard (bearer BATON_API_TOKEN, like the rest of /api):
// the handoffs board with risk and reasons, the insights numbers, and the admin page's view (connectors,
// failed and dead-lettered work, mappings), for other tools and for tests.
import express, { type Router } from 'express';
import type { Store } from '../store/database.js';
import { formatMappingError, type LoadedMapping } from '../mapping/load-mappings.js';
import { basename } from 'node:path';
import { adminView, type AdminViewDeps } from './admin/admin-view.js';
import { parseBoardQuery } from './board-params.js';
import { queryBoard } from './queries/board-query.js';
import { cachedInsights, kickoffTasksOf } from './queries/insights-query.js';

export function dashboardApiRouter(deps: AdminViewDeps & { store: Store; mappings: () => LoadedMapping[]; now?: () => Date }): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  router.get('/board', async (req, res) => {
    const board = await queryBoard(deps.store, parseBoardQuery(req.query), now());
    res.json(board);
  });
  router.get('/insights', async (_req, res) => {
    res.json(await cachedInsights(deps.store, kickoffTasksOf(deps.mappings()), now()));
  });
  router.get('/admin', async (_req, res) => {
    const v = await adminView(deps);
    res.json({
      connectors: v.connectors,
      failed: v.failed,
      failedChecks: v.failedChecks,
      dead: v.dead,
      mappings: v.mappings.map((m) => ({ name: m.mapping.name, file: basename(m.file), tool: m.mapping.work.tool })),
      mappingErrors: v.mappingErrors.map(formatMappingError),
    });
  });
  return router;
}
