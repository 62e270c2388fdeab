// The dashboard (issue #5): sign-in, the handoffs board, one handoff, insights, admin. Server-rendered
// HTML that works without JavaScript; every page needs a signed-in user, admin pages an admin, every
// form a CSRF token. Mounted by src/http/create-app.ts next to /api (which keeps its bearer token).
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ASSETS } from './assets.js';
import { html, type Html } from './html.js';
import { errorPage, type PageContext } from './layout.js';
import { passwordProvider, type AuthProvider, type SignedInUser } from './auth/auth-provider.js';
import { authenticate, authLocals, localPath, requireCsrf, requireRole, requireSameOrigin, requireUser } from './auth/auth-middleware.js';
import { checkCsrf, csrfToken } from './auth/csrf.js';
import { loginRateLimiter } from './auth/login-rate-limit.js';
import {
  clearPendingSignIn,
  clearSession,
  ensureLoginNonce,
  newSessionId,
  PENDING_SIGN_IN_MS,
  readLoginNonce,
  readPendingSignIn,
  writePendingSignIn,
  writeSession,
  type CookieOptions,
} from './auth/session-cookie.js';
import { oidcProvider } from './auth/oidc-provider.js';
import { filterOptions, queryBoard } from './queries/board-query.js';
import { parseBoardQuery } from './board-params.js';
import { queryHandoffDetail } from './queries/handoff-detail-query.js';
import { cachedInsights, kickoffTasksOf } from './queries/insights-query.js';
import { handoffsPage } from './pages/handoffs-page.js';
import { handoffPage } from './pages/handoff-page.js';
import { insightsPage } from './pages/insights-page.js';
import { loginPage } from './pages/login-page.js';
import { adminPage, previewPage } from './pages/admin-page.js';
import { adminView } from './admin/admin-view.js';
import { retryStep } from './admin/retry-step.js';
import { previewMapping } from './admin/preview-mapping.js';
import { QUEUES_PATH, queuesBoardHeaders, queuesBoardRouter } from './admin/queues-board.js';
import type { DashboardDeps } from './dashboard-deps.js';

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
  const { users, oidc } = deps.config.dashboard;
  if (users.length === 0 && !oidc && !deps.providers) deps.logger.warn('BATON_USERS is empty and no OIDC_ISSUER_URL is set: nobody can sign in to the dashboard');
  const noUsers = users.length === 0 && !oidc && !deps.providers;
  const cookie: CookieOptions = { secret, secure: deps.config.publicUrl.startsWith('https://'), ttlMs: deps.config.dashboard.sessionTtlMs };
  // Passwords when BATON_USERS has users (or nothing else is set up), company SSO when OIDC_* is set.
  const redirectUriOf = (id: string) => `${deps.config.publicUrl}/login/${id}/callback`;
  const providers = deps.providers ?? [
    ...(users.length > 0 || !oidc ? [passwordProvider(() => deps.config.dashboard.users)] : []),
    ...(oidc ? [oidcProvider(oidc, redirectUriOf('oidc'))] : []),
  ];
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
    send(res, loginPage(ctxOf(req, res), { loginCsrf: csrfToken(cookie.secret, 'login', nonce), next, providers, noUsers }));
  });

  /** The sign-in page again, saying what went wrong. */
  const signInFailed = (req: Request, res: Response, status: number, error: string, next = '/', name?: string) => {
    const nonce = ensureLoginNonce(req, res, cookie);
    send(res, loginPage({ user: null, csrf: '', path: '/login' }, { loginCsrf: csrfToken(cookie.secret, 'login', nonce), next, name, error, providers, noUsers }), status);
  };
  const redirectProvider = (id: unknown) => providers.find((p) => p.kind === 'redirect' && p.id === id);
  /** Whichever provider vouched for the user: the same session cookie, the same log line, on to `next`. */
  const signedIn = (res: Response, provider: AuthProvider, result: { user: SignedInUser; version: string }, next: string) => {
    writeSession(res, { u: result.user.name, p: provider.id, r: result.user.role, v: result.version, s: newSessionId(), e: Date.now() + cookie.ttlMs }, cookie);
    deps.logger.info({ user: result.user.name, role: result.user.role, provider: provider.id }, 'dashboard sign-in');
    res.redirect(303, next);
  };

  // Company SSO: off to the identity provider with a fresh state, and back to the callback.
  router.get('/login/:provider', pageHeaders, async (req, res) => {
    const provider = redirectProvider(req.params.provider);
    if (!provider?.start) return send(res, errorPage(ctxOf(req, res), 404, 'There is no such way to sign in.'), 404);
    const next = localPath(req.query.next);
    const state = randomBytes(24).toString('base64url');
    let started: { url: string; pending: string };
    try {
      started = await provider.start(state);
    } catch (e) {
      deps.logger.warn({ provider: provider.id, err: e instanceof Error ? e.message : String(e) }, 'SSO sign-in could not start');
      return signInFailed(req, res, 502, `${provider.label} did not answer. Try again in a moment.`, next);
    }
    writePendingSignIn(res, { p: provider.id, state, pending: started.pending, next, e: Date.now() + PENDING_SIGN_IN_MS }, cookie);
    res.redirect(303, started.url);
  });

  router.get('/login/:provider/callback', pageHeaders, async (req, res) => {
    const provider = redirectProvider(req.params.provider);
    if (!provider?.callback) return send(res, errorPage(ctxOf(req, res), 404, 'There is no such way to sign in.'), 404);
    const pending = readPendingSignIn(req, cookie);
    clearPendingSignIn(res, cookie); // one use
    if (!pending || pending.p !== provider.id) return signInFailed(req, res, 400, 'This sign-in expired or was not started here. Please sign in again.');
    if (typeof req.query.error === 'string') {
      // The identity provider said no (access_denied, …): its words, as text.
      const why = text(req.query.error_description, 300) || text(req.query.error, 100);
      return signInFailed(req, res, 401, `${provider.label} did not sign you in: ${why}`, pending.next);
    }
    const callbackUrl = new URL(redirectUriOf(provider.id));
    callbackUrl.search = new URL(req.originalUrl, 'http://callback').search;
    let result: Awaited<ReturnType<NonNullable<AuthProvider['callback']>>>;
    try {
      result = await provider.callback(callbackUrl, pending.state, pending.pending);
    } catch (e) {
      deps.logger.warn({ provider: provider.id, err: e instanceof Error ? e.message : String(e) }, 'SSO sign-in rejected');
      return signInFailed(req, res, 400, 'The sign-in could not be verified. Please sign in again.', pending.next);
    }
    if ('refused' in result) {
      deps.logger.info({ provider: provider.id }, 'SSO sign-in refused: no allowed group');
      return signInFailed(req, res, 403, result.refused, pending.next);
    }
    signedIn(res, provider, result, pending.next);
  });

  router.post('/login', pageHeaders, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = text(body.name, 200).trim();
    const password = text(body.password, 1000);
    const next = localPath(body.next);
    const again = (status: number, error: string) => signInFailed(req, res, status, error, next, name);
    if (!checkCsrf(cookie.secret, 'login', readLoginNonce(req, cookie), body._csrf)) return again(403, 'The sign-in form expired. Please try again.');
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    // Counted before the password is checked (atomically in Redis), so parallel guesses cannot overtake the count.
    const attempt = await limiter.attempt(ip, name);
    if (!attempt.allowed) {
      const seconds = Math.ceil(attempt.waitMs / 1000);
      res.set('Retry-After', String(seconds));
      deps.logger.warn({ user: name.slice(0, 64), ip, by: attempt.by }, 'dashboard sign-in refused: too many attempts');
      // The same words whether or not the account exists: unknown names are counted and locked alike.
      return again(
        429,
        attempt.by === 'account'
          ? `This account is locked for ${Math.ceil(seconds / 60)} minutes after too many failed sign-ins. Try again later, or ask an admin.`
          : `Too many attempts. Try again in ${seconds} seconds.`,
      );
    }
    const provider = providers.find((p) => p.kind === 'form' && p.verify);
    const result = name && password && provider?.verify ? await provider.verify(name, password) : null;
    if (!provider || !result) {
      deps.logger.info({ user: name.slice(0, 64), ip }, 'dashboard sign-in failed');
      return again(401, 'Wrong name or password.');
    }
    await limiter.succeeded(ip, name);
    signedIn(res, provider, result, next);
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
    // A deal without its own currency is in its mapping's (docs/mappings.md, `currency`).
    const currencies = new Map(deps.mappings().map((m) => [m.mapping.name, m.mapping.currency ?? null]));
    const rows = board.rows.map((r) => ({ ...r, currency: r.currency ?? currencies.get(r.mapping) ?? null }));
    send(res, handoffsPage(ctxOf(req, res), f, { ...board, rows }, options, at));
  });

  router.get('/handoffs/:id', ...viewer, async (req, res) => {
    const id = String(req.params.id);
    const detail = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await queryHandoffDetail(deps.store, id) : null;
    if (!detail) return send(res, errorPage(ctxOf(req, res), 404, 'There is no handoff with this id.'), 404);
    const retried = typeof req.query.retried === 'string' ? req.query.retried : null;
    const view = { mapping: deps.mappings().find((m) => m.mapping.name === detail.handoff.mapping)?.mapping ?? null, crmLive: deps.connectors.crm.mode === 'live' };
    send(res, handoffPage(ctxOf(req, res), detail, now(), view, retried ? html`<p class="notice ok" role="status">Retrying ${retried}: the handoff is queued again.</p>` : undefined));
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
    const result = await previewMapping(deps.mappings(), deps.connectors.crm, input, deps.crmPayloadEvents);
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
