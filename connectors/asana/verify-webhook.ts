// Asana webhooks (FACTS §4 and Asana's webhook guide): creating a webhook makes Asana POST a handshake
// carrying `X-Hook-Secret`, which the receiver echoes back and keeps; every later delivery carries
// `X-Hook-Signature: <hex HMAC-SHA256(that secret, raw body)>`. Constant-time compare against the
// secrets given (the receiver passes the one current secret of the webhook the delivery came in on).
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifyAsanaSignature(rawBody: Buffer, signature: string | undefined, secrets: string[]): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'), 'utf8');
    // No early exit: the time taken does not depend on which secret matched.
    if (timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

export function signAsanaWebhook(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export interface AsanaTaskEvent {
  taskGid: string;
  action: string;
  field: string | null;
  createdAt: string | null;
}

/** The task events of a delivery (`{events: [...]}`); other resources are ignored. Asana events are thin: the worker re-reads the task. */
export function parseAsanaEvents(body: unknown): AsanaTaskEvent[] {
  const events = typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events) ? ((body as { events: unknown[] }).events) : [];
  const out: AsanaTaskEvent[] = [];
  for (const e of events) {
    const ev = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const resource = (typeof ev.resource === 'object' && ev.resource !== null ? ev.resource : {}) as Record<string, unknown>;
    if (resource.resource_type !== 'task' || typeof resource.gid !== 'string') continue;
    const change = (typeof ev.change === 'object' && ev.change !== null ? ev.change : {}) as Record<string, unknown>;
    out.push({
      taskGid: resource.gid,
      action: typeof ev.action === 'string' ? ev.action : 'changed',
      field: typeof change.field === 'string' ? change.field : null,
      createdAt: typeof ev.created_at === 'string' ? ev.created_at : null,
    });
  }
  return out;
}
