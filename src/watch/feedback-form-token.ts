// The signed link of the web feedback form (the fallback when the Slack modal is not an option):
// `<handoffId>.<expiry unix seconds>.<HMAC-SHA256 base64url>` with BATON_FEEDBACK_FORM_SECRET.
// Checked in constant time; expired or altered links are refused. No I/O.
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'baton-feedback-form:v1';
/** Links work for this long after the DM (the reminder comes after 3 business days). */
export const FORM_LINK_TTL_MS = 30 * 24 * 3600_000;

function sign(secret: string, handoffId: string, exp: number): string {
  return createHmac('sha256', secret).update(`${PURPOSE}:${handoffId}:${exp}`).digest('base64url');
}

export function createFormToken(secret: string, handoffId: string, now: Date, ttlMs = FORM_LINK_TTL_MS): string {
  if (!/^[A-Za-z0-9-]+$/.test(handoffId)) throw new Error(`handoff id '${handoffId}' cannot be put in a form link`);
  const exp = Math.floor((now.getTime() + ttlMs) / 1000);
  return `${handoffId}.${exp}.${sign(secret, handoffId, exp)}`;
}

export type TokenCheck = { ok: true; handoffId: string } | { ok: false; reason: string };

export function verifyFormToken(secret: string, token: string, now: Date): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed link' };
  const [handoffId = '', expText = '', sig = ''] = parts;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(handoffId) || !/^\d{1,12}$/.test(expText)) return { ok: false, reason: 'malformed link' };
  const exp = Number(expText);
  const expected = Buffer.from(sign(secret, handoffId, exp));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid signature' };
  if (exp * 1000 < now.getTime()) return { ok: false, reason: 'link expired' };
  return { ok: true, handoffId };
}
