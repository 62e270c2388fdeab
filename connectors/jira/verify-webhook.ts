// Jira admin webhooks registered with a secret are signed (FACTS §2): `X-Hub-Signature: sha256=<hex
// HMAC-SHA256(secret, raw body)>` (WebSub format). There is no timestamp, so replays are stopped by the
// delivery id dedupe (X-Atlassian-Webhook-Identifier), not here. Constant-time compare.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JiraSignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyJiraSignature(rawBody: Buffer, header: string | undefined, secret: string): JiraSignatureCheck {
  if (!secret) return { ok: false, reason: 'no webhook secret configured' };
  if (!header) return { ok: false, reason: 'missing X-Hub-Signature' };
  const eq = header.indexOf('=');
  const method = header.slice(0, eq).trim().toLowerCase();
  const given = header.slice(eq + 1).trim().toLowerCase();
  if (eq < 0 || method !== 'sha256') return { ok: false, reason: 'unsupported signature method (expected sha256=)' };
  const expected = createHmac('sha256', secret).update(rawBody).digest('hex');
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

export function signJiraWebhook(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
