// The inbound webhook port (src/handoff/inbound-ports.ts) for Asana: X-Hook-Signature over the raw body with
// the secret the webhook's handshake gave (the receiver keeps it per webhook and passes it in), then the task
// events of the delivery (verify-webhook.ts).
import type { InboundWebhook } from '../../src/handoff/inbound-ports.js';
import { headerValue } from '../common/header-value.js';
import { parseAsanaEvents, verifyAsanaSignature, type AsanaTaskEvent } from './verify-webhook.js';

export function createAsanaWebhook(): InboundWebhook<AsanaTaskEvent[]> {
  return {
    verify: (req, secrets = []) =>
      verifyAsanaSignature(req.rawBody, headerValue(req.headers, 'x-hook-signature'), [...secrets])
        ? { ok: true }
        : { ok: false, reason: 'bad or missing X-Hook-Signature' },
    parse: (body) => ({ ok: true, value: parseAsanaEvents(body) }),
  };
}
