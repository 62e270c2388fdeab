// bull-board (queue health, jobs, retries) under /admin/queues, for admins only. Its page would fetch
// a web font from a CDN; the CSP below keeps the browser from calling out (the system font is used).
import type { NextFunction, Request, Response, Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { BatonQueues } from '../../queue/queues.js';

export const QUEUES_PATH = '/admin/queues';

export function queuesBoardRouter(queues: BatonQueues): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUES_PATH);
  createBullBoard({ queues: queues.all().map((q) => new BullMQAdapter(q)), serverAdapter: adapter, options: { uiConfig: { boardTitle: 'Baton queues' } } });
  return adapter.getRouter() as Router;
}

export function queuesBoardHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  );
  res.set('Cache-Control', 'no-store');
  next();
}
