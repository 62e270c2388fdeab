// Read API for admins and other tools: the handoffs with their document, steps, audit trail and dry-run records.
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Store } from '../store/database.js';
import { getHandoff, listHandoffs, type HandoffRow } from '../store/handoff-repo.js';
import { listSteps } from '../store/step-repo.js';
import { listAudit } from '../store/audit-repo.js';
import { listDryRuns } from '../store/dry-run-repo.js';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().optional(),
  status: z.string().optional(),
  mapping: z.string().optional(),
});

const summary = (h: HandoffRow) => ({
  id: h.id,
  crm: h.crm,
  dealId: h.dealId,
  dealName: h.dealName,
  mapping: h.mapping,
  phase: h.phase,
  status: h.status,
  title: h.title,
  complete: h.complete,
  missing: h.missing,
  closedAt: h.closedAt,
  createdAt: h.createdAt,
  updatedAt: h.updatedAt,
  lastError: h.lastError,
});

export function handoffsApiRouter(store: Store): Router {
  const router = express.Router();

  router.get('/handoffs', async (req, res) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) {
      res.status(400).json({ error: q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    const page = await listHandoffs(store, q.data);
    res.json({ items: page.items.map(summary), nextCursor: page.nextCursor });
  });

  router.get('/handoffs/:id', async (req, res) => {
    const h = await getHandoff(store, req.params.id);
    if (!h) {
      res.status(404).json({ error: 'no such handoff' });
      return;
    }
    const [steps, audit, dryRuns] = await Promise.all([listSteps(store, h.id), listAudit(store, h.id), listDryRuns(store, h.id)]);
    res.json({ ...summary(h), document: h.document, plan: h.plan, steps, audit, dryRuns });
  });

  return router;
}
