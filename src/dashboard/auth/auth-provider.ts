// How someone proves who they are. Pages only ever see a SignedInUser; the provider that signed them in
// is recorded in the session. Passwords from BATON_USERS are one provider; company SSO (OIDC,
// oidc-provider.ts) is another with kind 'redirect': /login shows its button, GET /login/<id> sends the
// browser to `start`, GET /login/<id>/callback returns a user, and the session, CSRF and role checks stay
// as they are.
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import type { DashboardUser, Role } from '../../config/parse-users.js';
import { verifyAgainstDecoy, verifyPassword } from './password-hash.js';

export interface SignedInUser {
  name: string;
  role: Role;
  provider: string;
}

/** What the session cookie carries about the sign-in (signed, not encrypted: nothing secret in it). */
export interface SessionClaims {
  /** User name. */
  u: string;
  /** Provider id. */
  p: string;
  /** Role at sign-in (providers may re-derive it on every request). */
  r: Role;
  /** Credential version: a change of password (or provider-defined) ends existing sessions. */
  v: string;
  /** Random per session: the CSRF token is derived from it. */
  s: string;
  /** Expiry, ms since epoch. */
  e: number;
}

export interface AuthProvider {
  readonly id: string;
  /** Shown on the sign-in page. */
  readonly label: string;
  readonly kind: 'form' | 'redirect';
  /** kind 'form': check a name and password; null when they do not match. Takes the same time either way. */
  verify?(name: string, password: string): Promise<{ user: SignedInUser; version: string } | null>;
  /**
   * kind 'redirect': where to send the browser (e.g. the OIDC authorization endpoint carrying `state`), and
   * what the callback will need again (PKCE verifier, nonce), kept signed in a short-lived cookie meanwhile.
   */
  start?(state: string): Promise<{ url: string; pending: string }>;
  /** kind 'redirect': the user the identity provider vouched for on `callbackUrl`, or why they may not sign in. Throws when the answer does not check out. */
  callback?(callbackUrl: URL, state: string, pending: string): Promise<{ user: SignedInUser; version: string } | { refused: string }>;
  /** On every request: is this session's user still allowed, and with which role now? */
  resume(claims: SessionClaims): SignedInUser | null;
}

const versionOf = (u: DashboardUser) => createHash('sha256').update(u.hash).digest('base64url').slice(0, 16);

/** Users and scrypt hashes from BATON_USERS. Removing a user, changing their role or password takes effect on their next request. */
export function passwordProvider(users: () => readonly DashboardUser[]): AuthProvider {
  const find = (name: string) => users().find((u) => u.name.toLowerCase() === name.trim().toLowerCase());
  return {
    id: 'password',
    label: 'Name and password',
    kind: 'form',
    async verify(name, password) {
      const u = find(name);
      if (!u) return verifyAgainstDecoy(password).then(() => null);
      if (!(await verifyPassword(password, u.parsed))) return null;
      return { user: { name: u.name, role: u.role, provider: 'password' }, version: versionOf(u) };
    },
    resume(claims) {
      const u = find(claims.u);
      if (!u || versionOf(u) !== claims.v) return null;
      return { name: u.name, role: u.role, provider: 'password' };
    },
  };
}
