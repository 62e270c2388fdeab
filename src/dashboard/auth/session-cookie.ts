// Sessions are signed cookies (HMAC-SHA256 with BATON_SESSION_SECRET), not rows: no lookup per
// request, any number of stateless `baton server` processes accept the same session, and nothing to
// expire or clean up. Revocation: removing the user or changing their password ends their sessions at
// once (the cookie carries a digest of the hash), rotating the secret ends everyone's; sign-out clears
// the cookie (a copy taken before then lives until expiry, at most BATON_SESSION_HOURS).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { SessionClaims } from './auth-provider.js';

export interface CookieOptions {
  secret: string;
  /** https public URL → Secure cookies with the __Host- prefix (no Domain, Path=/, Secure enforced by browsers). */
  secure: boolean;
  ttlMs: number;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-baton_session' : 'baton_session';
}
export function loginCookieName(secure: boolean): string {
  return secure ? '__Host-baton_login' : 'baton_login';
}

const mac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest();

export function sign(secret: string, value: string): string {
  return `${value}.${mac(secret, value).toString('base64url')}`;
}

/** The signed value, or null when the signature does not match (constant-time). */
export function unsign(secret: string, signed: string): string | null {
  const at = signed.lastIndexOf('.');
  if (at <= 0) return null;
  const value = signed.slice(0, at);
  const given = Buffer.from(signed.slice(at + 1), 'base64url');
  const expected = mac(secret, value);
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}

/** Minimal RFC 6265 Cookie header parsing (first occurrence wins). */
export function readCookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      /* not ours */
    }
  }
  return out;
}

function setCookie(res: Response, name: string, value: string, o: CookieOptions, maxAgeMs: number): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: o.secure, path: '/', maxAge: maxAgeMs });
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** A signed cookie holding JSON with an expiry `e` (ms since epoch): sessions and pending sign-ins. */
function writeSignedJson(res: Response, name: string, value: { e: number }, o: CookieOptions): void {
  setCookie(res, name, sign(o.secret, Buffer.from(JSON.stringify(value)).toString('base64url')), o, Math.max(0, value.e - Date.now()));
}

/** The cookie's JSON when the signature matches, `valid` accepts its shape and it has not expired; else null. */
function readSignedJson<T extends { e: number }>(req: Request, name: string, o: CookieOptions, valid: (v: T) => boolean, now: number): T | null {
  const raw = readCookies(req).get(name);
  const value = raw ? unsign(o.secret, raw) : null;
  if (!value) return null;
  try {
    const v = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as T;
    return valid(v) && typeof v.e === 'number' && v.e > now ? v : null;
  } catch {
    return null;
  }
}

function clearCookie(res: Response, name: string, o: CookieOptions): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: o.secure, path: '/' });
}

export function writeSession(res: Response, claims: SessionClaims, o: CookieOptions): void {
  writeSignedJson(res, sessionCookieName(o.secure), claims, o);
}

export function clearSession(res: Response, o: CookieOptions): void {
  clearCookie(res, sessionCookieName(o.secure), o);
}

export function readSession(req: Request, o: CookieOptions, now = Date.now()): SessionClaims | null {
  return readSignedJson<SessionClaims>(req, sessionCookieName(o.secure), o, (c) => typeof c.u === 'string' && typeof c.p === 'string' && typeof c.s === 'string', now);
}

/** A short-lived random value bound to the sign-in form, so the login POST carries a CSRF token too. */
export function ensureLoginNonce(req: Request, res: Response, o: CookieOptions): string {
  const name = loginCookieName(o.secure);
  const existing = readCookies(req).get(name);
  const verified = existing ? unsign(o.secret, existing) : null;
  if (verified) return verified;
  const nonce = randomBytes(16).toString('base64url');
  setCookie(res, name, sign(o.secret, nonce), o, 30 * 60_000);
  return nonce;
}

export function readLoginNonce(req: Request, o: CookieOptions): string | null {
  const existing = readCookies(req).get(loginCookieName(o.secure));
  return existing ? unsign(o.secret, existing) : null;
}

/** A redirect sign-in under way: what the callback must match and needs (signed; expires in 10 minutes). */
export interface PendingSignIn {
  /** Provider id. */
  p: string;
  state: string;
  /** The provider's own data for the callback (PKCE verifier, nonce). */
  pending: string;
  /** Where to go after sign-in (a local path). */
  next: string;
  /** Expiry, ms since epoch. */
  e: number;
}

const pendingCookieName = (secure: boolean) => (secure ? '__Host-baton_sso' : 'baton_sso');
export const PENDING_SIGN_IN_MS = 10 * 60_000;

export function writePendingSignIn(res: Response, p: PendingSignIn, o: CookieOptions): void {
  // SameSite=Lax still reaches the callback: the identity provider sends the browser back with a top-level GET.
  writeSignedJson(res, pendingCookieName(o.secure), p, o);
}

export function readPendingSignIn(req: Request, o: CookieOptions, now = Date.now()): PendingSignIn | null {
  return readSignedJson<PendingSignIn>(
    req,
    pendingCookieName(o.secure),
    o,
    (p) => typeof p.p === 'string' && typeof p.state === 'string' && typeof p.pending === 'string' && typeof p.next === 'string',
    now,
  );
}

export function clearPendingSignIn(res: Response, o: CookieOptions): void {
  clearCookie(res, pendingCookieName(o.secure), o);
}
