// The dashboard (issue #5): sign-in, the handoffs board, one handoff, insights, admin. Server-rendered
// HTML that works without JavaScript; every page needs a signed-in user, admin pages an admin, every
// form a CSRF token. Mounted by src/http/create-app.ts next to /api (which keeps its bearer token).
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Redis } from 'ioredis';
import type { BatonConfig } from '../config/read-env-options.js';
import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/database.js';
import type { BatonQueues } from '../queue/queues.js';
import type { LoadedMapping, MappingError } from '../mapping/load-mappings.js';
import type { Connectors } from '../runtime/build-connectors.js';
import { ASSETS } from './assets.js';
import { html, type Html } from './html.js';
import { errorPage, type PageContext } from './layout.js';
import { passwordProvider, type AuthProvider } from './auth/auth-provider.js';
import { authenticate, authLocals, localPath, requireCsrf, requireRole, requireSameOrigin, requireUser } from './auth/auth-middleware.js';
import { checkCsrf, csrfToken } from './auth/csrf.js';
import { loginRateLimiter, type LoginLimits } from './auth/login-rate-limit.js';
import { clearSession, ensureLoginNonce, newSessionId, readLoginNonce, writeSession, type CookieOptions } from './auth/session-cookie.js';
import { filterOptions, queryBoard } from './queries/board-query.js';
import { parseBoardQuery } from './board-params.js';
import { kickoffTasksOf } from './dashboard-api.js';
import { queryHandoffDetail } from './queries/handoff-detail-query.js';
import { cachedInsights } from './queries/insights-query.js';
import { lastStepError, queryDeadJobs, queryFailedSteps, rateLimitBacklogMs } from './queries/admin-query.js';
import { handoffsPage } from './pages/handoffs-page.js';
import { handoffPage } from './pages/handoff-page.js';
import { insightsPage } from './pages/insights-page.js';
import { loginPage } from './pages/login-page.js';
import { adminPage, previewPage, type ConnectorStatus } from './pages/admin-page.js';
import { retryStep } from './admin/retry-step.js';
import { previewMapping } from './admin/preview-mapping.js';
import { QUEUES_PATH, queuesBoardHeaders, queuesBoardRouter } from './admin/queues-board.js';

export interface DashboardDeps {
  config: BatonConfig;
  logger: Logger;
  store: Store;
  queues: BatonQueues;
  redis: Redis;
  mappings: () => LoadedMapping[];
  mappingErrors: () => MappingError[];
  connectors: Pick<Connectors, 'crm' | 'workTools' | 'chat' | 'crmWriter'>;
  now?: () => Date;
  /** Default: passwords from BATON_USERS. An OIDC provider is added here. */
  providers?: AuthProvider[];
  loginLimits?: LoginLimits;
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function pageHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    // Client data: never kept by the browser or a proxy.
    'Cache-Control': 'no-store',
  });
  next();
}

const send = (res: Response, page: Html, status = 200) => res.status(status).type('html').send(page.text);

const text = (v: unknown, max = 1_000_000) => (typeof v === 'string' ? v.slice(0, max) : '');

export function dashboardRouter(deps: DashboardDeps): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  let secret = deps.config.dashboard.sessionSecret;
  if (!secret) {
    // Sessions then last until this process restarts and are not shared with other server processes.
    secret = randomBytes(32).toString('base64url');
    deps.logger.warn('BATON_SESSION_SECRET is not set: dashboard sessions end when this process restarts and do not work across several servers');
  }
  if (deps.config.dashboard.users.length === 0 && !deps.providers) deps.logger.warn('BATON_USERS is empty: nobody can sign in to the dashboard');
  const cookie: CookieOptions = { secret, secure: deps.config.publicUrl.startsWith('https://'), ttlMs: deps.config.dashboard.sessionTtlMs };
  const providers = deps.providers ?? [passwordProvider(() => deps.config.dashboard.users)];
  const limiter = loginRateLimiter(deps.redis, deps.config.queuePrefix, deps.loginLimits);
  const form = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 50 });

  const ctxOf = (req: Request, res: Response): PageContext => {
    const a = authLocals(res);
    return { user: a.user, csrf: a.csrf, path: req.path };
  };
  const forbidden = (req: Request, res: Response) => {
    send(res, errorPage(ctxOf(req, res), 403, 'This page is for admins. Ask an admin if you need something done here.'), 403);
  };
  const csrfRejected = (req: Request, res: Response) => {
    send(res, errorPage(ctxOf(req, res), 403, 'The form expired or did not come from this dashboard. Go back, reload the page and try again.'), 403);
  };
  const viewer = [pageHeaders, authenticate(cookie, providers), requireUser];
  const admin = [...viewer, requireRole('admin', forbidden)];
  const post = (guard: typeof viewer) => [...guard, form, requireCsrf(cookie.secret, csrfRejected)];

  for (const a of Object.values(ASSETS)) {
    router.get(a.path, (_req, res) => {
      res.set({ 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' }).type(a.type).send(a.body);
    });
  }

  // ---- sign-in ----
  router.get('/login', pageHeaders, authenticate(cookie, providers), (req, res) => {
    const next = localPath(req.query.next);
    if (authLocals(res).user) return res.redirect(303, next);
    const nonce = ensureLoginNonce(req, res, cookie);
    send(res, loginPage(ctxOf(req, res), { loginCsrf: csrfToken(cookie.secret, 'login', nonce), next, providers, noUsers: deps.config.dashboard.users.length === 0 && !deps.providers }));
  });

  router.post('/login', pageHeaders, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = text(body.name, 200).trim();
    const password = text(body.password, 1000);
    const next = localPath(body.next);
    const again = (status: number, error: string) => {
      const nonce = ensureLoginNonce(req, res, cookie);
      send(res, loginPage({ user: null, csrf: '', path: '/login' }, { loginCsrf: csrfToken(cookie.secret, 'login', nonce), next, name, error, providers, noUsers: deps.config.dashboard.users.length === 0 }), status);
    };
    if (!checkCsrf(cookie.secret, 'login', readLoginNonce(req, cookie), body._csrf)) return again(403, 'The sign-in form expired. Please try again.');
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = await limiter.blockedFor(ip, name);
    if (wait > 0) {
      res.set('Retry-After', String(Math.ceil(wait / 1000)));
      return again(429, `Too many attempts. Try again in ${Math.ceil(wait / 1000)} seconds.`);
    }
    const provider = providers.find((p) => p.kind === 'form' && p.verify);
    const result = name && password && provider?.verify ? await provider.verify(name, password) : null;
    if (!result) {
      await limiter.recordFailure(ip, name);
      deps.logger.info({ user: name.slice(0, 64), ip }, 'dashboard sign-in failed');
      return again(401, 'Wrong name or password.');
    }
    await limiter.recordSuccess(ip, name);
    writeSession(res, { u: result.user.name, p: provider!.id, r: result.user.role, v: result.version, s: newSessionId(), e: Date.now() + cookie.ttlMs }, cookie);
    deps.logger.info({ user: result.user.name, role: result.user.role }, 'dashboard sign-in');
    res.redirect(303, next);
  });

  router.post('/logout', ...post(viewer), (_req, res) => {
    clearSession(res, cookie);
    res.redirect(303, '/login');
  });

  // ---- pages ----
  router.get('/', ...viewer, async (req, res) => {
    const f = parseBoardQuery(req.query);
    const at = now();
    const [board, options] = await Promise.all([queryBoard(deps.store, f, at), filterOptions(deps.store)]);
    send(res, handoffsPage(ctxOf(req, res), f, board, options, at));
  });

  router.get('/handoffs/:id', ...viewer, async (req, res) => {
    const id = String(req.params.id);
    const detail = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await queryHandoffDetail(deps.store, id) : null;
    if (!detail) return send(res, errorPage(ctxOf(req, res), 404, 'There is no handoff with this id.'), 404);
    const retried = typeof req.query.retried === 'string' ? req.query.retried : null;
    send(res, handoffPage(ctxOf(req, res), detail, now(), retried ? html`<p class="notice ok" role="status">Retrying ${retried}: the handoff is queued again.</p>` : undefined));
  });

  router.get('/insights', ...viewer, async (req, res) => {
    send(res, insightsPage(ctxOf(req, res), await cachedInsights(deps.store, kickoffTasksOf(deps.mappings()), now())));
  });

  // ---- admin ----
  router.get('/admin', ...admin, async (req, res) => {
    const retried = typeof req.query.retried === 'string' ? req.query.retried : null;
    send(res, adminPage(ctxOf(req, res), await adminView(deps), retried ? html`<p class="notice ok" role="status">Retrying ${retried}: the handoff is queued again.</p>` : undefined));
  });

  router.post('/admin/retry', ...post(admin), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const handoffId = text(body.handoffId, 64);
    const stepId = text(body.stepId, 64);
    const back = localPath(body.back);
    const user = authLocals(res).user!;
    const outcome = await retryStep(deps, handoffId, stepId, user.name);
    if (!outcome.ok) return send(res, errorPage(ctxOf(req, res), outcome.status, outcome.message), outcome.status);
    deps.logger.info({ handoffId, stepId, user: user.name }, 'admin retried a step');
    res.redirect(303, `${back.split('?')[0]}?retried=${encodeURIComponent(stepId)}`);
  });

  router.get('/admin/preview', ...admin, (_req, res) => res.redirect(303, '/admin#preview'));
  router.post('/admin/preview', ...post(admin), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const input = { mapping: text(body.mapping, 200), deal: text(body.deal), dealId: text(body.dealId, 64), closedAt: text(body.closedAt, 64) };
    const result = await previewMapping(deps.mappings(), deps.connectors.crm, input);
    send(res, previewPage(ctxOf(req, res), deps.mappings(), { ...input, crmLive: deps.connectors.crm.mode === 'live' }, result), 'error' in result ? 422 : 200);
  });

  router.use(QUEUES_PATH, queuesBoardHeaders, authenticate(cookie, providers), requireUser, requireRole('admin', forbidden), requireSameOrigin, queuesBoardRouter(deps.queues));

  // Errors in dashboard routes: an HTML page, details in the log only.
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : 500;
    if (status >= 400 && status < 500) return send(res, errorPage(ctxOf(req, res), status, 'The request could not be read.'), status);
    deps.logger.error({ err, path: req.path }, 'dashboard error');
    send(res, errorPage(ctxOf(req, res), 500, 'Baton could not show this page. The error is in the server log.'), 500);
  });

  return router;
}

async function adminView(deps: DashboardDeps) {
  const { config, connectors: c, store, redis } = deps;
  const backlog = (key: string) => rateLimitBacklogMs(redis, config.queuePrefix, key).catch(() => null);
  const usingTool = (tool: 'jira' | 'asana') => deps.mappings().filter((m) => m.mapping.work.tool === tool).map((m) => m.mapping.name);
  const [failed, dead, jiraErr, asanaErr, introErr, writeErr, hsBacklog, jiraBacklog, asanaBacklog, slackBacklog] = await Promise.all([
    queryFailedSteps(store),
    queryDeadJobs(deps.queues.all()),
    lastStepError(store, 'create-work', usingTool('jira')),
    lastStepError(store, 'create-work', usingTool('asana')),
    lastStepError(store, 'post-intro'),
    lastStepError(store, 'write-back'),
    backlog('hubspot'),
    backlog('jira'),
    backlog('asana'),
    backlog('slack'),
  ]);
  const connectors: ConnectorStatus[] = [
    { role: 'CRM (read deals)', system: c.crm.crm, mode: c.crm.mode, rate: config.rates.hubspot, backlogMs: hsBacklog, lastError: null },
    { role: 'Delivery work', system: 'jira', mode: c.workTools.jira.mode, rate: config.rates.jira, backlogMs: jiraBacklog, lastError: jiraErr },
    { role: 'Delivery work', system: 'asana', mode: c.workTools.asana.mode, rate: config.rates.asana, backlogMs: asanaBacklog, lastError: asanaErr },
    { role: 'Client intro', system: c.chat.tool, mode: c.chat.mode, rate: config.rates.slack, backlogMs: slackBacklog, lastError: introErr },
    { role: 'CRM write-back', system: c.crmWriter.crm, mode: c.crmWriter.mode, rate: config.rates.hubspot, backlogMs: hsBacklog, lastError: writeErr },
  ];
  return { connectors, failed, dead, mappings: deps.mappings(), mappingErrors: deps.mappingErrors(), crmLive: c.crm.mode === 'live' };
}
