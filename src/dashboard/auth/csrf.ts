// CSRF tokens: an HMAC of the session's random id (or of the sign-in form's nonce), so no server-side
// store is needed and a token from one session is useless in another. Every dashboard form posts it
// as `_csrf`; SameSite=Lax cookies are the second layer.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function csrfToken(secret: string, purpose: 'session' | 'login', id: string): string {
  return createHmac('sha256', secret).update(`csrf:${purpose}:${id}`).digest('base64url');
}

export function checkCsrf(secret: string, purpose: 'session' | 'login', id: string | null, given: unknown): boolean {
  if (!id || typeof given !== 'string' || given === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(csrfToken(secret, purpose, id));
  return a.length === b.length && timingSafeEqual(a, b);
}
