// Who is asking, and may they: the session cookie → a SignedInUser on res.locals; every dashboard
// route then requires a user, admin routes an admin, and every POST a CSRF token.
import type { NextFunction, Request, Response } from 'express';
import type { AuthProvider, SignedInUser } from './auth-provider.js';
import { readSession, type CookieOptions } from './session-cookie.js';
import { checkCsrf, csrfToken } from './csrf.js';
import type { Role } from '../../config/parse-users.js';

export interface AuthLocals {
  user: SignedInUser | null;
  /** The session's CSRF token ('' when signed out). */
  csrf: string;
  sessionId: string | null;
}

export function authLocals(res: Response): AuthLocals {
  return (res.locals.auth as AuthLocals | undefined) ?? { user: null, csrf: '', sessionId: null };
}

export function authenticate(cookie: CookieOptions, providers: AuthProvider[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const claims = readSession(req, cookie);
    const provider = claims ? providers.find((p) => p.id === claims.p) : undefined;
    const user = claims && provider ? provider.resume(claims) : null;
    res.locals.auth = {
      user,
      csrf: user && claims ? csrfToken(cookie.secret, 'session', claims.s) : '',
      sessionId: user && claims ? claims.s : null,
    } satisfies AuthLocals;
    next();
  };
}

/** A local path to come back to after sign-in; anything else (other hosts, protocol-relative) becomes "/". */
export function localPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 2000) return '/';
  return next;
}

export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (authLocals(res).user) return next();
  // Browsers are sent to sign in; scripts and forms get a plain 401.
  if ((req.method === 'GET' || req.method === 'HEAD') && req.accepts(['html', 'json']) === 'html') {
    res.redirect(303, `/login?next=${encodeURIComponent(localPath(req.originalUrl))}`);
    return;
  }
  res.status(401).type('text/plain').send('sign in first');
}

export function requireRole(role: Role, forbidden: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = authLocals(res).user;
    if (user && (role === 'viewer' || user.role === role)) return next();
    forbidden(req, res);
  };
}

export function requireCsrf(secret: string, rejected: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (checkCsrf(secret, 'session', authLocals(res).sessionId, body._csrf ?? req.get('x-csrf-token'))) return next();
    rejected(req, res);
  };
}

/**
 * For routes whose forms we do not render (bull-board's JSON API): unsafe methods must come from this
 * origin. Browsers always send Origin on cross-site POST/PUT/DELETE; SameSite=Lax is the first layer.
 */
export function requireSameOrigin(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const origin = req.get('origin') ?? req.get('referer');
  let host: string | null = null;
  try {
    host = origin ? new URL(origin).host : null;
  } catch {
    host = null;
  }
  if (host && host === req.get('host')) return next();
  res.status(403).type('text/plain').send('cross-origin request refused');
}
