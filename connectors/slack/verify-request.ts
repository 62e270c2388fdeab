// Slack request signing (FACTS §3): `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
// "v0:{timestamp}:{raw body}")>` and `X-Slack-Request-Timestamp` (unix seconds). Checked over the raw
// bytes in constant time; a timestamp more than 5 minutes away (past or future) is refused.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_MAX_SKEW_S = 5 * 60;

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifySlackRequest(i: {
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  signingSecret: string;
  nowMs: number;
}): SlackSignatureCheck {
  if (!i.signingSecret) return { ok: false, reason: 'no signing secret configured' };
  if (!i.signature || !i.signature.startsWith('v0=')) return { ok: false, reason: 'missing signature' };
  if (!i.timestamp || !/^\d{1,12}$/.test(i.timestamp)) return { ok: false, reason: 'missing or invalid timestamp' };
  if (Math.abs(Math.floor(i.nowMs / 1000) - Number(i.timestamp)) > SLACK_MAX_SKEW_S) return { ok: false, reason: 'stale timestamp' };
  const expected = 'v0=' + createHmac('sha256', i.signingSecret).update(`v0:${i.timestamp}:`).update(i.rawBody).digest('hex');
  const a = Buffer.from(i.signature.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** The headers a signed request carries (tests, stand-ins). */
export function signSlackRequest(body: string, signingSecret: string, nowMs: number): Record<string, string> {
  const ts = String(Math.floor(nowMs / 1000));
  const sig = 'v0=' + createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts };
}
